using Npgsql;

namespace Registry.Core.Nodes;

/// <summary>
/// A PostgreSQL session-level advisory lock on a connection of its own, outside the pool, for <see cref="ClusterJobLock"/>
/// and <see cref="ClusterLock"/>: closing that connection (or losing it with its node) is what lets the lock go, whatever
/// becomes of the job or request that held it.
/// </summary>
internal static class AdvisoryLock
{
    /// <summary>
    /// The connection holding the lock on <paramref name="key"/>; with <paramref name="wait"/> false, null when another
    /// session holds it (<c>pg_try_advisory_lock</c>), else waits for it (<c>pg_advisory_lock</c>, up to <paramref name="waitSeconds"/>).
    /// </summary>
    public static async Task<NpgsqlConnection?> TakeAsync(string connectionString, string applicationName, long key, bool wait, CancellationToken ct,
        int waitSeconds = 30)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString)
            { Pooling = false, ApplicationName = applicationName, CommandTimeout = waitSeconds }.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var take = new NpgsqlCommand(wait ? "SELECT pg_advisory_lock($1)" : "SELECT pg_try_advisory_lock($1)", connection)
                { Parameters = { new NpgsqlParameter { Value = key } } };
            if (await take.ExecuteScalarAsync(ct) is not false) return connection; // pg_advisory_lock answers void
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }
}
