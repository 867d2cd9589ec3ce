using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Uploads;

/// <summary>What a sweep found (or removed): upload sessions (API and browser) and staged bytes no live upload owns.</summary>
public sealed record SweepReport(int Sessions, long StagedBytes);

/// <summary>
/// The one place uploads are cleaned up after: at start-up (<see cref="RecoverAfterRestartAsync"/>) and by gc
/// (<see cref="SweepAsync"/>), for Library API sessions and browser uploads alike. What is live is what the database says
/// (a session's state and expiry, a browser upload's last chunk), never what this process happens to be serving: on
/// several nodes the upload may be another node's.
/// </summary>
public sealed class UploadJanitor(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, IOptions<RegistryOptions> options, TimeProvider clock,
    ILogger<UploadJanitor> log)
{
    /// <summary>
    /// At start-up, when no other node serves the data folder, no request can be in flight: Library API sessions are closed
    /// (a completion cut off included) and their bytes dropped (the client pushes again). Live browser uploads keep
    /// theirs, since the page resumes them.
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
    /// session's at once, an orphan's once unwritten for the grace period); with <paramref name="dryRun"/> only reports.
    /// A completion under way when its URL expires is left to finish (one cut off by a crash goes after the grace period).
    /// </summary>
    public async Task<SweepReport> SweepAsync(bool dryRun, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var longAgo = now - StorageMaintenance.GracePeriodFor(options.Value);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Rows first, files after: staging named by a row written in between is young, so the grace period keeps it.
        var sessions = await db.UploadSessions.Select(s => new { s.Id, s.StagingId, s.State, s.ExpiresAt }).ToListAsync(ct);
        var browser = await db.BrowserUploads.Select(u => new { u.Id, u.StagingId, u.ExpiresAt }).ToListAsync(ct);
        var deadSessions = sessions.Where(s => s.State is UploadState.Aborted or UploadState.Completed
            || (s.ExpiresAt < now && s.State != UploadState.Completing) || s.ExpiresAt < longAgo).ToList();
        var deadBrowser = browser.Where(u => u.ExpiresAt < now).ToList();
        var dead = StagingIds(deadSessions.Select(s => s.StagingId).Concat(deadBrowser.Select(u => u.StagingId)));
        var live = StagingIds(sessions.Except(deadSessions).Select(s => s.StagingId).Concat(browser.Except(deadBrowser).Select(u => u.StagingId)));
        var staged = blobs.ListUploads()
            .Where(s => !live.Contains(s.Id) && (dead.Contains(s.Id) || s.WrittenAt < longAgo)).ToList();

        if (!dryRun)
        {
            foreach (var s in staged) blobs.ResumeUpload(s.Id).Discard();
            // Deleted by id, not tracked: a row another node removed meanwhile (an expired browser upload) is no error.
            var sessionIds = deadSessions.Select(s => s.Id).ToList();
            var browserIds = deadBrowser.Select(u => u.Id).ToList();
            await db.UploadSessions.Where(s => sessionIds.Contains(s.Id)).ExecuteDeleteAsync(ct);
            await db.BrowserUploads.Where(u => browserIds.Contains(u.Id) && u.ExpiresAt < now).ExecuteDeleteAsync(ct);
        }
        return new SweepReport(deadSessions.Count + deadBrowser.Count, staged.Sum(s => s.Length));
    }

    /// <summary>Browser uploads idle past their expiry go with their bytes (also when a new one starts, for registries without scheduled gc).</summary>
    public async Task ExpireBrowserUploadsAsync(RegistryDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var expired in await db.BrowserUploads.Where(u => u.ExpiresAt <= now).Select(u => new { u.Id, u.StagingId }).ToListAsync(ct))
            // Whoever deletes the row (this node, or another at the same moment) drops the bytes.
            if (await db.BrowserUploads.Where(u => u.Id == expired.Id).ExecuteDeleteAsync(ct) == 1)
                blobs.ResumeUpload(expired.StagingId).Discard();
    }

    // Rows recorded before staged uploads had ids hold a path: its file name is the id.
    private static HashSet<string> StagingIds(IEnumerable<string> stagingIds) =>
        stagingIds.Select(id => Path.GetFileName(id)).ToHashSet(StringComparer.Ordinal);
}
