using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
using Registry.Core.Uploads;

namespace Registry.Core.Storage;

/// <summary>What a garbage collection found (or removed): unreferenced blobs and expired upload sessions.</summary>
public sealed record GcReport(int Blobs, long BlobBytes, int Sessions, long TempBytes);

/// <summary>A blob whose bytes no longer hash to its name (bit rot or tampering).</summary>
public sealed record BlobMismatch(Digest Expected, string Actual, long Length);

/// <summary>Storage housekeeping behind <c>admin gc</c> and <c>admin verify</c>.</summary>
public sealed class StorageMaintenance(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, TimeProvider clock)
{
    /// <summary>Removes blobs no image references and upload sessions (API and browser) past their expiry; with <paramref name="dryRun"/> only reports.</summary>
    public async Task<GcReport> CollectGarbageAsync(bool dryRun, CancellationToken ct = default)
    {
        // Blobs are listed before the referenced hashes are read: an image row always exists before its upload commits a
        // blob, so a blob listed here that an image needs is in the set read after it.
        var stored = blobs.List().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var referenced = (await db.Images.Select(i => i.Hash).Distinct().ToListAsync(ct)).ToHashSet();
        var now = clock.GetUtcNow().UtcDateTime;
        var expired = await db.UploadSessions
            .Where(s => s.ExpiresAt < now || s.State == UploadState.Aborted || s.State == UploadState.Completed).ToListAsync(ct);
        // A blob that an open upload just committed is not referenced by an uploaded image yet, but by the upload's image row: still kept.
        var unused = stored.Where(b => !referenced.Contains(b.Digest.Hex)).ToList();
        var expiredBrowser = await db.BrowserUploads.Where(u => u.ExpiresAt < now).ToListAsync(ct);
        long tempBytes = expired.Select(s => s.TempPath).Concat(expiredBrowser.Select(u => u.TempPath))
            .Where(File.Exists).Sum(p => new FileInfo(p).Length);

        if (!dryRun)
        {
            var removed = new List<(Digest Digest, long Length)>();
            foreach (var blob in unused)
            {
                // Asked again right before deleting: a push of the same bytes may have claimed the blob meanwhile (scheduled runs).
                if (await db.Images.AnyAsync(i => i.Hash == blob.Digest.Hex, ct)) continue;
                blobs.Delete(blob.Digest);
                removed.Add(blob);
            }
            unused = removed;
            var hashes = unused.Select(u => u.Digest.Hex).ToList();
            await db.Blobs.Where(b => hashes.Contains(b.Hash)).ExecuteDeleteAsync(ct);
            foreach (var session in expired) if (File.Exists(session.TempPath)) blobs.DeleteTemp(session.TempPath);
            foreach (var upload in expiredBrowser) if (File.Exists(upload.TempPath)) blobs.DeleteTemp(upload.TempPath);
            db.UploadSessions.RemoveRange(expired);
            db.BrowserUploads.RemoveRange(expiredBrowser);
            await db.SaveChangesAsync(ct);
        }
        return new GcReport(unused.Count, unused.Sum(u => u.Length), expired.Count + expiredBrowser.Count, tempBytes);
    }

    /// <summary>Re-hashes every stored blob; changes nothing.</summary>
    public async Task<(int Checked, List<BlobMismatch> Mismatches)> VerifyAsync(CancellationToken ct = default)
    {
        var mismatches = new List<BlobMismatch>();
        var count = 0;
        foreach (var (digest, length) in blobs.List())
        {
            await using var stream = blobs.OpenRead(digest);
            var actual = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, ct));
            if (actual != digest.Hex) mismatches.Add(new BlobMismatch(digest, actual, length));
            count++;
        }
        return (count, mismatches);
    }
}
