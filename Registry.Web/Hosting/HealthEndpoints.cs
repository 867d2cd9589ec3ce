using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Data;

namespace Registry.Web.Hosting;

/// <summary>
/// The load balancer's probes, anonymous and outside the rate limits (they are no API path): <c>/healthz</c> answers
/// while the process serves at all (nothing else is touched), <c>/readyz</c> only while this node can do its work: the
/// database answers with every migration applied and the data folder takes a write. Otherwise 503 with the reason.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>A check that takes longer counts as failed: a hung database must not hang the balancer's probe.</summary>
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public static bool IsProbe(PathString path) => path == "/healthz" || path == "/readyz";

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>();
        var dataRoot = app.Services.GetRequiredService<IOptions<RegistryOptions>>().Value.DataRoot;
        var running = new InFlight();
        app.MapGet("/readyz", async (HttpContext context) =>
        {
            // Probes that arrive while a check runs share it: a burst of them costs one check, never a pile-up of timeouts.
            var reason = await running.JoinOrStart(() => FirstFailureAsync(dbFactory, dataRoot, CancellationToken.None)).WaitAsync(context.RequestAborted);
            context.Response.Headers.CacheControl = "no-store";
            return reason is null
                ? Results.Json(new { status = "ready" })
                : Results.Json(new { status = "not ready", reason }, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }

    /// <summary>Null when ready, else what is wrong (the first failing check).</summary>
    public static async Task<string?> FirstFailureAsync(IDbContextFactory<RegistryDbContext> dbFactory, string dataRoot, CancellationToken ct)
    {
        return await WithinTimeoutAsync("data folder", () => Task.Run(() => CheckWritable(dataRoot), ct), ct)
            ?? await WithinTimeoutAsync("database", () => CheckDatabaseAsync(dbFactory, ct), ct);
    }

    private static string? CheckWritable(string dataRoot)
    {
        // A per-process name: nodes sharing the folder probe it at once.
        var probe = Path.Combine(dataRoot, $".ready-probe-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        File.WriteAllBytes(probe, [1]);
        File.Delete(probe);
        return null;
    }

    private static async Task<string?> CheckDatabaseAsync(IDbContextFactory<RegistryDbContext> dbFactory, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList(); // reads the history table: the database answers
        return pending.Count == 0 ? null : $"database: {pending.Count} migrations not applied yet (first: {pending[0]})";
    }

    /// <summary>The check in progress, if any; the next caller after it finished starts a fresh one.</summary>
    private sealed class InFlight
    {
        private readonly Lock _lock = new();
        private Task<string?>? _current;

        public Task<string?> JoinOrStart(Func<Task<string?>> start)
        {
            lock (_lock) return _current is { IsCompleted: false } ? _current : _current = start();
        }
    }

    private static async Task<string?> WithinTimeoutAsync(string what, Func<Task<string?>> check, CancellationToken ct)
    {
        try
        {
            var task = check();
            var finished = await Task.WhenAny(task, Task.Delay(CheckTimeout, ct));
            if (finished != task) { _ = task.ContinueWith(t => t.Exception, TaskScheduler.Default); return $"{what}: no answer within {CheckTimeout.TotalSeconds:0} s"; }
            return await task;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return $"{what}: {e.GetType().Name}: {e.Message}";
        }
    }
}
