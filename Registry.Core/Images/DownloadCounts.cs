using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Core.Data;

namespace Registry.Core.Images;

/// <summary>
/// Containers' download counters, added up in memory and written once a second: a pull (a job array's hundred in the same
/// second) does not wait for a database write of its own, and SQLite's one writer is left to pushes. Each write adds to
/// the stored count, so nodes sharing a database each add their own. A stop writes what is pending; a crash loses at most
/// the last second's counts. No cached read shows a counter, so writing them moves no <see cref="WriteGeneration"/>.
/// </summary>
public sealed class DownloadCounts(IDbContextFactory<RegistryDbContext> dbFactory, ILogger<DownloadCounts> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, int> _pending = new(StringComparer.Ordinal);

    public void Record(string containerId) => _pending.AddOrUpdate(containerId, 1, (_, n) => n + 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await WritePendingAsync(CancellationToken.None);
        }
        catch (OperationCanceledException) { /* stopping: StopAsync writes what is left */ }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await WritePendingAsync(CancellationToken.None);
    }

    /// <summary>Adds the counts recorded so far to the database; those a failed write did not add wait for the next.</summary>
    public async Task WritePendingAsync(CancellationToken ct)
    {
        // TryRemove per key: a Record racing it either lands in the count taken here or starts a new one for next time.
        var batch = new Dictionary<string, int>();
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var n)) batch[id] = n;
        if (batch.Count == 0) return;
        try
        {
            // No transaction: committing one moves the write generation, which would drop every cached read once a second.
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            foreach (var (id, n) in batch.ToList())
            {
                await db.Containers.Where(x => x.Id == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.DownloadCount, x => x.DownloadCount + n), ct);
                batch.Remove(id);
            }
        }
        catch (Exception e) when (e is DbException or IOException or InvalidOperationException)
        {
            log.LogWarning("{Count} containers' downloads not counted yet, retrying: {Reason}", batch.Count, e.Message);
            foreach (var (id, n) in batch) _pending.AddOrUpdate(id, n, (_, m) => m + n);
        }
    }
}
