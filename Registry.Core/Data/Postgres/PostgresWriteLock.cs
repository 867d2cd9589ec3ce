using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Registry.Core.Data.Postgres;

/// <summary>
/// SQLite's <c>BEGIN IMMEDIATE</c> on PostgreSQL: every transaction first takes one database-wide advisory lock, held
/// until it commits or rolls back. The invariants written as "count, check, insert in one transaction"
/// (MaxCollectionsPerUser, quota at publish, tag moves, key merges, invitation acceptance) then hold across every node
/// under READ COMMITTED, exactly as they do with SQLite's single writer: each statement after the lock sees every
/// commit of the transactions that held it before. Writes outside a transaction take no lock, as on SQLite.
/// The wait is bounded like SQLite's busy timeout (30 s), so a stuck node cannot hang the others forever.
/// </summary>
internal sealed class PostgresWriteLock : DbTransactionInterceptor
{
    public static readonly PostgresWriteLock Instance = new();

    /// <summary>The lock's key: any constant the registry owns ("Registry" in ASCII).</summary>
    public const long WriteKey = 0x5265_6769_7374_7279;

    private static readonly string Sql = $"SET LOCAL lock_timeout = '30s'; SELECT pg_advisory_xact_lock({WriteKey});";

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        using var cmd = connection.CreateCommand();
        (cmd.CommandText, cmd.Transaction) = (Sql, result);
        cmd.ExecuteNonQuery();
        return result;
    }

    public override async ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken ct = default)
    {
        await using var cmd = connection.CreateCommand();
        (cmd.CommandText, cmd.Transaction) = (Sql, result);
        await cmd.ExecuteNonQueryAsync(ct);
        return result;
    }
}
