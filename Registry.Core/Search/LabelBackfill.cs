using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Registry.Core.Data;
using Registry.Core.Images;
using Registry.Core.Nodes;
using Registry.Core.Storage;

namespace Registry.Core.Search;

/// <summary>
/// After an upgrade, reads the labels of images published before labels were stored, in the background after start-up:
/// a batch at a time, each committed on its own, so a restart carries on where it stopped and a large registry starts at once.
/// One node at a time (<see cref="ClusterJob"/>).
/// </summary>
public sealed class LabelBackfill(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, ClusterJobLock jobLock, ILogger<LabelBackfill> log)
    : ClusterJob("label-backfill", jobLock, log)
{
    public const int BatchSize = 100;

    /// <summary>
    /// The images still to read, by id, as a partial index: the query below walks it from where it stopped, so start-up and
    /// each batch cost the images left to read, not a scan of every image (at a million images, nearly all read).
    /// </summary>
    public static void Configure(ModelBuilder b) =>
        b.Entity<Image>().HasIndex(i => i.Id, "IX_Images_LabelsUnread").HasFilter("\"Uploaded\" AND NOT \"LabelsRead\"");

    /// <summary>Stores the labels of every uploaded image that has none read yet; returns how many it read.</summary>
    /// <remarks>An image whose blob can't be read now is skipped (paging by id visits each once) and tried again at the next start.</remarks>
    public async Task<int> RunAsync(CancellationToken ct = default)
    {
        var read = 0;
        var after = "";
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var batch = await db.Images.Where(i => i.Uploaded && !i.LabelsRead && i.Id.CompareTo(after) > 0)
                .OrderBy(i => i.Id).Take(BatchSize).ToListAsync(ct);
            if (batch.Count == 0) return read;
            foreach (var image in batch)
            {
                if (await ImageLabels.ReadAsync(blobs, image.Hash) is not { } labels) continue;
                await ImageLabels.StoreAsync(db, image, labels, ct);
                read++;
            }
            await db.SaveChangesAsync(ct);
            after = batch[^1].Id;
        }
    }

    protected override string NextTry => "the next start tries again";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunOnceAsync(async ct =>
    {
        var read = await RunAsync(ct);
        if (read > 0) Log.LogInformation("stored the SIF labels of {Count} images published before labels were kept in the database", read);
    }, stoppingToken);
}
