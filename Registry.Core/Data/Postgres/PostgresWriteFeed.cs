using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Registry.Core.Data.Postgres;

/// <summary>
/// Several nodes on one PostgreSQL database: each node's writes move every node's <see cref="WriteGeneration"/>, so a
/// token revoked, a collection made private or an image deleted on one node is never served from another node's read
/// cache (within the round trip of a notification, well under a second). One channel of PostgreSQL's LISTEN/NOTIFY: after
/// each local write (coalesced: writes during a send go out as one) this node sends its id; a notification from any
/// other node moves the local generation. While the listening connection is down, the generation moves once per retry,
/// and once more when it is back, since notifications sent meanwhile are lost (the caches' TTL is the last safety net).
/// </summary>
public sealed class PostgresWriteFeed(WriteGeneration writes, IOptions<RegistryOptions> options, ILogger<PostgresWriteFeed> log) : BackgroundService
{
    private const string Channel = "registry_writes";
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    private readonly string _node = Guid.NewGuid().ToString("N");
    private readonly SemaphoreSlim _pending = new(0, 1);

    /// <summary>For a process that runs no hosted services (the admin CLI): tells the nodes once that it wrote.</summary>
    public async Task TellOnceAsync(CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(options.Value.DatabaseConnection);
        await connection.OpenAsync(ct);
        await NotifyAsync(connection, ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        writes.MovedHere += Signal;
        try { await Task.WhenAll(ListenAsync(stop), TellAsync(stop)); }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        finally { writes.MovedHere -= Signal; }
    }

    private void Signal()
    {
        if (_pending.CurrentCount > 0) return;
        try { _pending.Release(); }
        catch (SemaphoreFullException) { } // another write signalled first: one send covers both
    }

    private async Task TellAsync(CancellationToken stop)
    {
        NpgsqlConnection? connection = null;
        try
        {
            while (true)
            {
                await _pending.WaitAsync(stop);
                try
                {
                    if (connection is null) { connection = new NpgsqlConnection(options.Value.DatabaseConnection); await connection.OpenAsync(stop); }
                    await NotifyAsync(connection, stop);
                }
                catch (Exception e) when (e is NpgsqlException or SocketException or IOException or InvalidOperationException)
                {
                    log.LogWarning("could not tell the other nodes of a write ({Message}); retrying", e.Message);
                    if (connection is not null) await connection.DisposeAsync();
                    connection = null;
                    await Task.Delay(Retry, stop);
                    Signal();
                }
            }
        }
        finally { if (connection is not null) await connection.DisposeAsync(); }
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(options.Value.DatabaseConnection);
                await connection.OpenAsync(stop);
                connection.Notification += (_, e) => { if (e.Payload != _node) writes.LearnOfWriteElsewhere(); };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stop);
                writes.LearnOfWriteElsewhere(); // whatever was written while this node was not listening
                while (true) await connection.WaitAsync(stop);
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or IOException or InvalidOperationException)
            {
                log.LogWarning("lost the other nodes' write notifications ({Message}); dropping cached reads and retrying", e.Message);
                writes.LearnOfWriteElsewhere();
                await Task.Delay(Retry, stop);
            }
        }
    }

    private async Task NotifyAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var notify = new NpgsqlCommand($"SELECT pg_notify('{Channel}', @node)", connection);
        notify.Parameters.AddWithValue("node", _node);
        await notify.ExecuteNonQueryAsync(ct);
    }
}
