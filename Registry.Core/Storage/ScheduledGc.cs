using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Registry.Core.Nodes;

namespace Registry.Core.Storage;

/// <summary>
/// <c>admin gc</c> on a timer, every <see cref="RegistryOptions.GcInterval"/> (0 turns it off), on one node at a time
/// (<see cref="ClusterJob"/>). The first run comes one interval after start, so restarts don't trigger a run each.
/// </summary>
public sealed class ScheduledGc(StorageMaintenance maintenance, ClusterJobLock jobLock, IOptions<RegistryOptions> options, TimeProvider clock, ILogger<ScheduledGc> log)
    : ClusterJob(LockName, jobLock, log)
{
    /// <summary>The lock <c>admin gc</c> takes too.</summary>
    public const string LockName = "gc";

    protected override string NextTry => $"next run in {options.Value.GcInterval}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.GcInterval;
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            await RunRoundAsync(async ct =>
            {
                var report = await maintenance.CollectGarbageAsync(dryRun: false, ct);
                Log.LogInformation("scheduled gc freed {BlobBytes} bytes in {Blobs} unreferenced blobs and {TempBytes} bytes of {Sessions} finished or expired upload sessions",
                    report.BlobBytes, report.Blobs, report.TempBytes, report.Sessions);
            }, stoppingToken);
    }
}
