using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>
/// After the upgrade that added <see cref="OciManifestRef"/> and <see cref="OciBlobLink.Size"/>: parses each manifest
/// stored before, once, into its reference rows, and reads the length of each older link's blob. Runs in the background
/// after start-up and again at the start of every gc (which needs the rows), a batch at a time, each batch committed on
/// its own; paging by id visits each row once per run, so a manifest that cannot be parsed never loops.
/// </summary>
public sealed class OciRefBackfill(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, ILogger<OciRefBackfill> log) : BackgroundService
{
    public const int BatchSize = 100;

    /// <summary>Fills what is missing; answers how many manifests and links it filled.</summary>
    public async Task<(int Manifests, int Links)> RunAsync(CancellationToken ct = default)
    {
        var manifests = 0;
        for (var after = ""; ;)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var batch = await db.OciManifests.Where(m => !m.RefsStored && m.Id.CompareTo(after) > 0).OrderBy(m => m.Id).Take(BatchSize).ToListAsync(ct);
            if (batch.Count == 0) break;
            foreach (var manifest in batch)
            {
                if (OciDocument.Parse(manifest.Content, manifest.MediaType) is { Succeeded: true } doc)
                    db.OciManifestRefs.AddRange(OciManifestRef.Of(manifest, doc.Value!));
                manifest.RefsStored = true;
            }
            try { await db.SaveChangesAsync(ct); manifests += batch.Count; }
            catch (DbUpdateException) { } // another node filled this batch meanwhile
            after = batch[^1].Id;
        }
        var links = 0;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            // A link whose bytes are gone keeps no size: gc prunes it.
            foreach (var link in await db.OciBlobLinks.Where(l => l.Size == null).ToListAsync(ct))
                if (blobs.Exists(new Digest(link.Hash)) && Length(blobs, new Digest(link.Hash)) is { } length)
                {
                    link.Size = length;
                    links++;
                }
            await db.SaveChangesAsync(ct);
        }
        return (manifests, links);
    }

    private static long? Length(IBlobStore blobs, Digest digest)
    {
        try { return new FileInfo(blobs.PathOf(digest)).Length; }
        catch (IOException) { return null; }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // start-up goes on while this runs
        try
        {
            var (manifests, links) = await RunAsync(stoppingToken);
            if (manifests + links > 0)
                log.LogInformation("stored the blob references of {Manifests} /v2/ manifests and the sizes of {Links} blob links kept before they were", manifests, links);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "filling /v2/ blob references of older manifests failed; the next start or gc tries again");
        }
    }
}
