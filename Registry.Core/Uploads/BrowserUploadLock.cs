using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Core.Nodes;

namespace Registry.Core.Uploads;

/// <summary>
/// One request at a time per browser upload (chunks, finish, abort), across every node: the row is the state, this only
/// keeps its writers in line. In the process, a fixed set of semaphores picked by the id's hash (nothing to clean up, and
/// ids that don't exist can't grow it); on PostgreSQL then a transaction-level advisory lock keyed by the upload, on a
/// connection of its own, which the transaction's end (or the connection's loss with its node) releases. SQLite is one
/// server: there the semaphores are the whole lock.
/// </summary>
public sealed class BrowserUploadLock(IOptions<RegistryOptions> options)
{
    private readonly SemaphoreSlim[] _gates = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>The upload's lock, or null when another node's request on it held it for 30 s.</summary>
    public async Task<IAsyncDisposable?> TakeAsync(string uploadId, CancellationToken ct)
    {
        var gate = _gates[(uint)StringComparer.Ordinal.GetHashCode(uploadId) % (uint)_gates.Length];
        await gate.WaitAsync(ct);
        NpgsqlConnection? connection = null;
        try
        {
            if (options.Value.Database != DatabaseProvider.PostgreSql) return new Held(gate, null, null);
            // A pool of its own: a request holding this lock must not wait behind others for the connection its work needs.
            connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(options.Value.DatabaseConnection) { ApplicationName = "registry upload locks" }.ConnectionString);
            await connection.OpenAsync(ct);
            var transaction = await connection.BeginTransactionAsync(ct); // held open: its end releases the lock
            await using var take = new NpgsqlCommand(
                $"SET LOCAL lock_timeout = '30s'; SELECT pg_advisory_xact_lock({ClusterJobLock.AdvisoryKey("browser-upload:" + uploadId)})", connection, transaction);
            try { await take.ExecuteNonQueryAsync(ct); }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                await connection.DisposeAsync();
                gate.Release();
                return null;
            }
            return new Held(gate, connection, transaction);
        }
        catch
        {
            if (connection is not null) await connection.DisposeAsync(); // rolls the transaction back: the lock goes with it
            gate.Release();
            throw;
        }
    }

    private sealed class Held(SemaphoreSlim gate, NpgsqlConnection? connection, NpgsqlTransaction? transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                if (transaction is not null) await transaction.DisposeAsync(); // ROLLBACK: releases the lock
            }
            finally
            {
                if (connection is not null) await connection.DisposeAsync();
                gate.Release();
            }
        }
    }
}
