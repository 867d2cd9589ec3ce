using Microsoft.Extensions.Options;

namespace Registry.Core.Nodes;

/// <summary>
/// A named lock for a short write that must happen one at a time across every node (a <c>/v2/</c> tag's), waited for.
/// Always an in-process lock first, so a node waits on itself without a connection per waiter; on PostgreSQL then a
/// session-level advisory lock on a connection of its own (<see cref="AdvisoryLock"/>): a node killed while holding it
/// drops its connection and with it the lock. On SQLite there is one server, and the in-process lock is the whole lock.
/// A long-held claim (an upload's body streaming for minutes) is a <see cref="ClusterLease"/> instead, which holds no connection.
/// </summary>
public sealed class ClusterLock(IOptions<RegistryOptions> options)
{
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>Waits for the lock (up to two minutes when another node holds it).</summary>
    public async Task<IAsyncDisposable> TakeAsync(string name, CancellationToken ct = default)
    {
        var stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(name) % (uint)_stripes.Length)];
        await stripe.WaitAsync(ct);
        var local = new Released(() => stripe.Release());
        try
        {
            if (options.Value.Database != DatabaseProvider.PostgreSql) return local;
            var connection = await AdvisoryLock.TakeAsync(options.Value.DatabaseConnection, "registry lock", ClusterJobLock.AdvisoryKey("lock:" + name),
                wait: true, ct, waitSeconds: 120);
            return new Held(connection!, local);
        }
        catch
        {
            await local.DisposeAsync();
            throw;
        }
    }

    private sealed class Released(Action release) : IAsyncDisposable
    {
        private int _done;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) release();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Held(IAsyncDisposable connection, IAsyncDisposable local) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try { await connection.DisposeAsync(); }
            finally { await local.DisposeAsync(); }
        }
    }
}
