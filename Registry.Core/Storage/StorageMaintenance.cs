using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Uploads;

namespace Registry.Core.Storage;

/// <summary>What a garbage collection found (or removed): unreferenced blobs, and upload sessions with their staged bytes.</summary>
public sealed record GcReport(int Blobs, long BlobBytes, int Sessions, long TempBytes, int Links = 0);

/// <summary>A blob whose bytes no longer hash to its name (bit rot or tampering).</summary>
public sealed record BlobMismatch(Digest Expected, string Actual, long Length);

/// <summary>Storage housekeeping behind <c>admin gc</c> and <c>admin verify</c>.</summary>
public sealed class StorageMaintenance(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, UploadJanitor janitor,
    IOptions<RegistryOptions> options, TimeProvider clock, Oci.OciRefBackfill ociRefs)
{
    /// <summary>
    /// How old an unreferenced blob, or staged bytes no live upload session owns, must be before gc removes them: at least
    /// the longest an upload may live (Library API URL, browser upload, <c>/v2/</c> session), and an hour. A push's
    /// first blob must outlive its last upload (a <c>/v2/</c> manifest comes last), a completion commits its blob before
    /// the database says an image uses it, and a new upload names its staging before its row is written, maybe on another
    /// node, whose clock and the shared folder's may differ by minutes.
    /// </summary>
    public static TimeSpan GracePeriodFor(RegistryOptions settings) =>
        new[] { TimeSpan.FromHours(1), settings.UploadUrlLifetime, BrowserUploadService.IdleLifetime, Oci.OciUploads.SessionLifetime }.Max();

    /// <inheritdoc cref="GracePeriodFor"/>
    public TimeSpan GracePeriod => GracePeriodFor(options.Value);

    /// <summary>
    /// Removes blobs no uploaded image or <c>/v2/</c> manifest references, stale <c>/v2/</c> blob links
    /// (<see cref="Oci.OciGarbage"/>), and what <see cref="UploadJanitor"/> sweeps (finished or expired
    /// upload sessions, staged bytes no live upload owns); with <paramref name="dryRun"/> only reports. Every run but a dry one
    /// is recorded in the audit log (<c>storage.gc</c>: which process, when it started and ended, what it freed), by
    /// <paramref name="actor"/> (the scheduled gc when null).
    /// </summary>
    public async Task<GcReport> CollectGarbageAsync(bool dryRun, CancellationToken ct = default, Actor? actor = null)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var old = now - GracePeriod;
        await ociRefs.RunAsync(ct); // manifests stored before their references were: gc keeps what they name
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (links, ociKept) = await Oci.OciGarbage.PruneLinksAsync(db, blobs, old, dryRun, ct);
        var referenced = (await db.Images.Where(i => i.Uploaded).Select(i => i.Hash).Distinct().ToListAsync(ct)).ToHashSet();
        referenced.UnionWith(ociKept); // container image layers, configs and blobs pushed for a manifest still to come
        var unused = blobs.List().Where(b => !referenced.Contains(b.Digest.Hex) && blobs.WrittenAt(b.Digest) < old).ToList();

        if (!dryRun)
        {
            var removed = new List<(Digest Digest, long Length)>();
            foreach (var blob in unused)
            {
                // Asked again right before deleting: a push of the same bytes may have claimed the blob meanwhile (scheduled runs).
                if (await db.Images.AnyAsync(i => i.Hash == blob.Digest.Hex && i.Uploaded, ct) || blobs.WrittenAt(blob.Digest) >= old
                    || await db.OciBlobLinks.AnyAsync(l => l.Hash == blob.Digest.Hex, ct)) continue; // mounted meanwhile
                blobs.Delete(blob.Digest);
                removed.Add(blob);
            }
            unused = removed;
            var hashes = unused.Select(u => u.Digest.Hex).ToList();
            await db.Blobs.Where(b => hashes.Contains(b.Hash)).ExecuteDeleteAsync(ct);
        }
        var uploads = await janitor.SweepAsync(dryRun, ct);
        var report = new GcReport(unused.Count, unused.Sum(u => u.Length), uploads.Sessions, uploads.StagedBytes, links);
        if (!dryRun) await RecordAsync(report, now, actor ?? new Actor("system", "system", true, Identity.AccessTokens.TokenScope.Admin, Address: "scheduled gc"));
        return report;
    }

    private async Task RecordAsync(GcReport r, DateTime started, Actor actor)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        AuditLog.Record(db, actor, "storage.gc", "storage", detail: $"{Environment.MachineName} pid {Environment.ProcessId}, {started:O} to "
            + $"{clock.GetUtcNow().UtcDateTime:O}: freed {r.BlobBytes} bytes in {r.Blobs} blobs and {r.TempBytes} staged bytes of {r.Sessions} upload sessions, dropped {r.Links} /v2/ blob links");
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>Images marked uploaded whose blob is not in the store (lost, or removed by mistake): their hashes.</summary>
    public async Task<List<string>> MissingBlobsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hashes = await db.Images.Where(i => i.Uploaded).Select(i => i.Hash).Distinct().ToListAsync(ct);
        return hashes.Where(h => !Digest.TryParseHex(h, out var d) || !blobs.Exists(d)).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Re-hashes every stored blob. One that no longer hashes to its name is quarantined, never served again: its images
    /// become not uploaded (pulls answer not found, usage drops) until someone pushes the genuine bytes, which heal them.
    /// </summary>
    public async Task<(int Checked, List<BlobMismatch> Mismatches)> VerifyAsync(CancellationToken ct = default)
    {
        var mismatches = new List<BlobMismatch>();
        var count = 0;
        foreach (var (digest, length) in blobs.List().ToList())
        {
            string actual;
            await using (var stream = blobs.OpenRead(digest))
                actual = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, ct));
            count++;
            if (actual == digest.Hex) continue;
            mismatches.Add(new BlobMismatch(digest, actual, length));
            await QuarantineAsync(digest, actual, ct);
        }
        return (count, mismatches);
    }

    private async Task QuarantineAsync(Digest digest, string actual, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Images.Where(i => i.Hash == digest.Hex)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.Uploaded, false), ct);
        await db.Blobs.Where(b => b.Hash == digest.Hex).ExecuteDeleteAsync(ct);
        blobs.Quarantine(digest);
        AuditLog.Record(db, new Actor("system", "system", true, Identity.AccessTokens.TokenScope.Admin, Address: "verify"),
            "blob.quarantine", $"sha256.{digest.Hex}", detail: $"the bytes hash to sha256.{actual}");
        await db.SaveChangesAsync(ct);
    }
}
