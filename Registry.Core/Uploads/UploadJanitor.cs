using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Uploads;

/// <summary>What a sweep found (or removed): upload sessions (API and browser) and staged bytes no live upload owns.</summary>
public sealed record SweepReport(int Sessions, long StagedBytes);

/// <summary>
/// The one place uploads are cleaned up after: at start-up (<see cref="RecoverAfterRestartAsync"/>) and by gc
/// (<see cref="SweepAsync"/>), for Library API sessions and browser uploads alike.
/// </summary>
public sealed class UploadJanitor(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, TimeProvider clock, ILogger<UploadJanitor> log)
{
    /// <summary>
    /// How old staged bytes that no session owns must be before they go: a new upload names its staging before its row
    /// is written.
    /// </summary>
    public static readonly TimeSpan GracePeriod = StorageMaintenance.GracePeriod;

    /// <summary>
    /// At start-up no request can be in flight: Library API sessions are closed (a completion cut off included) and their
    /// bytes dropped (the client pushes again). Live browser uploads keep theirs, since the page resumes them.
    /// </summary>
    public async Task<int> RecoverAfterRestartAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await ExpireBrowserUploadsAsync(db, ct);
        var resumable = (await db.BrowserUploads.Select(u => u.StagingId).ToListAsync(ct)).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var removed = 0;
        foreach (var staged in blobs.ListUploads().Where(s => !resumable.Contains(s.Id)).ToList())
        {
            blobs.ResumeUpload(staged.Id).Discard();
            removed++;
        }
        await db.UploadSessions.Where(s => s.State == UploadState.Open || s.State == UploadState.Received || s.State == UploadState.Completing)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.State, UploadState.Aborted), ct);
        if (removed > 0) log.LogInformation("removed the staged bytes of {Count} interrupted uploads", removed);
        return removed;
    }

    /// <summary>
    /// Removes upload sessions that are finished or past their expiry, and staged bytes no live upload owns (a dead
    /// session's at once, an orphan's after the grace period); with <paramref name="dryRun"/> only reports.
    /// </summary>
    public async Task<SweepReport> SweepAsync(bool dryRun, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var deadSessions = await db.UploadSessions
            .Where(s => s.ExpiresAt < now || s.State == UploadState.Aborted || s.State == UploadState.Completed).ToListAsync(ct);
        var deadBrowser = await db.BrowserUploads.Where(u => u.ExpiresAt < now).ToListAsync(ct);
        var dead = StagingIds(deadSessions.Select(s => s.StagingId).Concat(deadBrowser.Select(u => u.StagingId)));
        var live = StagingIds((await db.UploadSessions.Where(s => s.ExpiresAt >= now && s.State != UploadState.Aborted && s.State != UploadState.Completed)
                .Select(s => s.StagingId).ToListAsync(ct))
            .Concat(await db.BrowserUploads.Where(u => u.ExpiresAt >= now).Select(u => u.StagingId).ToListAsync(ct)));
        var staged = blobs.ListUploads()
            .Where(s => !live.Contains(s.Id) && (dead.Contains(s.Id) || s.WrittenAt < now - GracePeriod)).ToList();

        if (!dryRun)
        {
            foreach (var s in staged) blobs.ResumeUpload(s.Id).Discard();
            db.UploadSessions.RemoveRange(deadSessions);
            db.BrowserUploads.RemoveRange(deadBrowser);
            await db.SaveChangesAsync(ct);
        }
        return new SweepReport(deadSessions.Count + deadBrowser.Count, staged.Sum(s => s.Length));
    }

    /// <summary>Browser uploads idle past their expiry go with their bytes (also when a new one starts, for registries without scheduled gc).</summary>
    public async Task ExpireBrowserUploadsAsync(RegistryDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var expired in await db.BrowserUploads.Where(u => u.ExpiresAt <= now).ToListAsync(ct))
        {
            db.BrowserUploads.Remove(expired);
            blobs.ResumeUpload(expired.StagingId).Discard();
        }
        await db.SaveChangesAsync(ct);
    }

    // Rows recorded before staged uploads had ids hold a path: its file name is the id.
    private static HashSet<string> StagingIds(IEnumerable<string> stagingIds) =>
        stagingIds.Select(id => Path.GetFileName(id)).ToHashSet(StringComparer.Ordinal);
}
