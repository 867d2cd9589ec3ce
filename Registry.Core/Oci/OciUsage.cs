using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>
/// What <c>/v2/</c> adds to an entity's quota usage (<see cref="EntityService.UsageAsync"/>): the container images, indexes'
/// children and other artifacts of its repositories, each distinct blob once, whether it is linked into one of them
/// (pushed, mounted, or awaiting its manifest: until gc prunes an unused link after the grace period) or named by one of
/// their stored manifests. A blob that is the SIF of one of its uploaded images is counted as that image already (images
/// count in full, each), and the SIF config <c>{}</c> is nothing. See: docs/oci.md §Quota.
/// </summary>
public static class OciUsage
{
    /// <param name="publishing">The hash of an image being published: counted as that image, not as a blob.</param>
    public static async Task<long> BytesAsync(RegistryDbContext db, Entity entity, string? publishing, CancellationToken ct)
    {
        var empty = SifManifest.EmptyConfigDigest.Hex;
        var images = db.Images.Where(i => i.Uploaded && i.Container!.Collection!.EntityId == entity.Id).Select(i => i.Hash);
        var sizes = await Blobs(db, entity).Where(b => b.Hash != empty && b.Hash != publishing && !images.Contains(b.Hash))
            .GroupBy(b => b.Hash).Select(g => g.Max(b => b.Size)).ToListAsync(ct);
        return sizes.Sum();
    }

    /// <summary>Whether <paramref name="digest"/> is counted for the entity already (as a blob or as an image).</summary>
    public static async Task<bool> CountsAsync(RegistryDbContext db, Entity entity, Digest digest, CancellationToken ct) =>
        await Blobs(db, entity).AnyAsync(b => b.Hash == digest.Hex, ct)
        || await db.Images.AnyAsync(i => i.Uploaded && i.Hash == digest.Hex && i.Container!.Collection!.EntityId == entity.Id, ct);

    /// <summary>The entity's linked and manifest-named blobs with their sizes (a blob may appear several times).</summary>
    private static IQueryable<SizedBlob> Blobs(RegistryDbContext db, Entity entity)
    {
        // Repository paths start with the entity's name, and names never hold '/'.
        var prefix = entity.Name + "/";
        var containers = db.Containers.Where(c => c.Collection!.EntityId == entity.Id).Select(c => c.Id);
        var manifests = db.OciManifests.Where(m => containers.Contains(m.ContainerId)).Select(m => m.Id);
        var linked = db.OciBlobLinks.Where(l => l.Repository.StartsWith(prefix)).Select(l => new SizedBlob { Hash = l.Hash, Size = l.Size ?? 0 });
        var named = db.OciManifestRefs.Where(r => manifests.Contains(r.ManifestId)).Select(r => new SizedBlob { Hash = r.Hash, Size = r.Size });
        return linked.Concat(named);
    }

    // Member-initialised (not a positional record), so EF can translate filters on the fields after the Concat.
    private sealed class SizedBlob
    {
        public string Hash { get; init; } = "";
        public long Size { get; init; }
    }
}
