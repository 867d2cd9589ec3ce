using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Registry.Core.Data;

/// <summary>
/// SQL functions of our own on every connection a <see cref="RegistryDbContext"/> opens: <see cref="RegistryDbContext.Fold"/>
/// (SQLite's lower() folds ASCII letters only).
/// </summary>
internal sealed class SqliteFunctions : DbConnectionInterceptor
{
    public static readonly SqliteFunctions Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Add(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken ct = default)
    {
        Add(connection);
        return Task.CompletedTask;
    }

    private static void Add(DbConnection connection) =>
        ((SqliteConnection)connection).CreateFunction(RegistryDbContext.FoldFunction, (string? text) => text?.ToLowerInvariant(), isDeterministic: true);
}
