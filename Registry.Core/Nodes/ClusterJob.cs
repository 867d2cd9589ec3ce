using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Registry.Core.Nodes;

/// <summary>How one round of a <see cref="ClusterJob"/> went.</summary>
public enum JobRound { Ran, Skipped, Failed }

/// <summary>
/// A background job that runs on one node at a time (<see cref="ClusterJobLock"/>): a node that finds it running elsewhere
/// skips the round (logged at debug) and tries at the next. A round that fails is logged and does not stop the service.
/// </summary>
public abstract class ClusterJob(string job, ClusterJobLock jobLock, ILogger log) : BackgroundService
{
    /// <summary>How soon a job that runs once (a backfill) asks again after another node held it.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);

    protected ILogger Log { get; } = log;

    /// <summary>Said after "… failed;" in the log: when the job is tried again.</summary>
    protected abstract string NextTry { get; }

    protected async Task<JobRound> RunRoundAsync(Func<CancellationToken, Task> work, CancellationToken stop)
    {
        try
        {
            await using var held = await jobLock.TryTakeAsync(job, stop);
            if (held is null)
            {
                Log.LogDebug("{Job} runs on another node (or the admin CLI) now: skipped here this round", job);
                return JobRound.Skipped;
            }
            await work(stop);
            return JobRound.Ran;
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            Log.LogWarning(e, "{Job} failed; {NextTry}", job, NextTry);
            return JobRound.Failed;
        }
    }

    /// <summary>Runs a job that is done once (per start): again after <see cref="RetryAfter"/> while other nodes hold it.</summary>
    protected async Task RunOnceAsync(Func<CancellationToken, Task> work, CancellationToken stop)
    {
        await Task.Yield(); // start-up goes on while this runs
        while (await RunRoundAsync(work, stop) == JobRound.Skipped) await Task.Delay(RetryAfter, stop);
    }
}
