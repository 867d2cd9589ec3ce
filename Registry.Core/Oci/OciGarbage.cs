using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>
/// What gc must know of <c>/v2/</c>: the blobs stored manifests use (container image layers and configs are no Library
/// image, yet must stay), and the blob links that no longer mean anything: a link whose bytes are gone, or one older
/// than the grace period that no manifest of its repository names (an upload never used, or its manifest deleted).
/// What manifests name is joined from <see cref="OciManifestRef"/> (written at each manifest PUT; manifests stored before
/// it existed are parsed once by <see cref="OciRefBackfill"/>, which gc runs first), never parsed here.
/// </summary>
public static class OciGarbage
{
    /// <summary>Removes (or, dry, counts) the links that mean nothing; answers the hashes the remaining links and every manifest keep.</summary>
    public static async Task<(int Pruned, HashSet<string> Kept)> PruneLinksAsync(RegistryDbContext db, IBlobStore blobs, DateTime old, bool dryRun, CancellationToken ct)
    {
        var used = await UsedByRepositoryAsync(db, ct);
        var kept = used.Values.SelectMany(h => h).ToHashSet(StringComparer.Ordinal);
        var stale = new List<OciBlobLink>();
        await foreach (var link in db.OciBlobLinks.AsNoTracking().AsAsyncEnumerable().WithCancellation(ct))
        {
            var named = used.TryGetValue(link.Repository, out var hashes) && hashes.Contains(link.Hash);
            if (blobs.Exists(new Digest(link.Hash)) && (named || link.CreatedAt >= old)) kept.Add(link.Hash);
            else stale.Add(link);
        }
        if (!dryRun)
            foreach (var link in stale)
                await db.OciBlobLinks.Where(l => l.Repository == link.Repository && l.Hash == link.Hash && l.CreatedAt == link.CreatedAt).ExecuteDeleteAsync(ct);
        return (stale.Count, kept);
    }

    /// <summary>Per repository (<c>entity/collection/container</c>), the blobs its stored manifests name: one join.</summary>
    private static async Task<Dictionary<string, HashSet<string>>> UsedByRepositoryAsync(RegistryDbContext db, CancellationToken ct)
    {
        var named = from r in db.OciManifestRefs
                    join m in db.OciManifests on r.ManifestId equals m.Id
                    join c in db.Containers on m.ContainerId equals c.Id
                    select new { Path = c.Collection!.Entity!.Name + "/" + c.Collection.Name + "/" + c.Name, r.Hash };
        var used = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        await foreach (var row in named.Distinct().AsAsyncEnumerable().WithCancellation(ct))
        {
            if (!used.TryGetValue(row.Path, out var hashes)) used[row.Path] = hashes = new HashSet<string>(StringComparer.Ordinal);
            hashes.Add(row.Hash);
        }
        return used;
    }
}
