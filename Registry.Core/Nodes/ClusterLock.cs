using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Registry.Core.Nodes;

/// <summary>
/// A named lock held by one request at a time across every node (a <c>/v2/</c> upload session's writer, a tag's write).
/// Always an in-process lock first, so a node waits on itself without a connection per waiter; on PostgreSQL then a
/// session-level advisory lock (<c>pg_advisory_lock</c>) on a connection of its own, outside the pool: a node killed
/// while holding it drops its connection and with it the lock, so another node can go on at once. On SQLite there is
/// one server, and the in-process lock is the whole lock.
/// </summary>
public sealed class ClusterLock(IOptions<RegistryOptions> options)
{
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>The lock if nobody on any node holds it now, else null (the caller answers "busy").</summary>
    public async Task<IAsyncDisposable?> TryTakeAsync(string name, CancellationToken ct = default)
    {
        if (!_held.TryAdd(name, 0)) return null;
        var local = new Released(() => _held.TryRemove(name, out _));
        try
        {
            if (!IsShared) return local;
            var connection = await AdvisoryAsync(name, "SELECT pg_try_advisory_lock($1)", ct);
            if (connection is not null) return new Held(connection, local);
        }
        catch
        {
            await local.DisposeAsync();
            throw;
        }
        await local.DisposeAsync();
        return null;
    }

    /// <summary>Waits for the lock: for writes that are short and must happen one at a time (a tag's).</summary>
    public async Task<IAsyncDisposable> TakeAsync(string name, CancellationToken ct = default)
    {
        var stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(name) % (uint)_stripes.Length)];
        await stripe.WaitAsync(ct);
        var local = new Released(() => stripe.Release());
        try
        {
            if (!IsShared) return local;
            return new Held((await AdvisoryAsync(name, "SELECT pg_advisory_lock($1)", ct))!, local);
        }
        catch
        {
            await local.DisposeAsync();
            throw;
        }
    }

    private bool IsShared => options.Value.Database == DatabaseProvider.PostgreSql;

    /// <summary>A connection holding the lock, or null when <paramref name="sql"/> (a try) answered false.</summary>
    private async Task<NpgsqlConnection?> AdvisoryAsync(string name, string sql, CancellationToken ct)
    {
        // Not pooled: closing this connection is what lets the lock go, whatever becomes of the request.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(options.Value.DatabaseConnection)
            { Pooling = false, ApplicationName = "registry lock", CommandTimeout = 120 }.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var take = new NpgsqlCommand(sql, connection) { Parameters = { new NpgsqlParameter { Value = ClusterJobLock.AdvisoryKey("lock:" + name) } } };
            if (await take.ExecuteScalarAsync(ct) is not false) return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
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

    private sealed class Held(NpgsqlConnection connection, IAsyncDisposable local) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try { await connection.DisposeAsync(); }
            finally { await local.DisposeAsync(); }
        }
    }
}
