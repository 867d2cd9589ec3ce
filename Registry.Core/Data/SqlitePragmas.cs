using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Registry.Core.Data;

/// <summary>
/// Every connection waits for a busy database instead of failing, syncs WAL commits sensibly, and has
/// <see cref="RegistryDbContext.Fold"/> (SQLite's own lower() folds ASCII letters only).
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        AddFunctions(connection);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        cmd.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken ct = default)
    {
        AddFunctions(connection);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void AddFunctions(DbConnection connection) =>
        ((SqliteConnection)connection).CreateFunction(RegistryDbContext.FoldFunction, (string? text) => text?.ToLowerInvariant(), isDeterministic: true);
}
