using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Registry.Core.Storage;

/// <summary>
/// <c>admin gc</c> on a timer, every <see cref="RegistryOptions.GcInterval"/> (0 turns it off). The first run comes one
/// interval after start, so restarts don't trigger a run each.
/// </summary>
public sealed class ScheduledGc(StorageMaintenance maintenance, IOptions<RegistryOptions> options, TimeProvider clock, ILogger<ScheduledGc> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.GcInterval;
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var report = await maintenance.CollectGarbageAsync(dryRun: false, stoppingToken);
                log.LogInformation("scheduled gc freed {BlobBytes} bytes in {Blobs} unreferenced blobs and {TempBytes} bytes of {Sessions} finished or expired upload sessions",
                    report.BlobBytes, report.Blobs, report.TempBytes, report.Sessions);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "scheduled gc failed; next run in {Interval}", interval);
            }
        }
    }
}
