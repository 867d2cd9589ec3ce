using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Data;
using Registry.Tests.Core;

namespace Registry.Tests.Postgres;

/// <summary>
/// Several nodes starting at once on one PostgreSQL database, empty or a migration behind: one migrates, the others wait
/// (or find nothing left to do), all start.
/// </summary>
public sealed class PostgresMigrationTests
{
    [Fact]
    public async Task Nodes_starting_together_on_an_empty_database_all_migrate_without_error()
    {
        var server = await PostgresServer.GetAsync();
        var connection = await server.CreateDatabaseAsync();
        try
        {
            var nodes = Nodes(connection);
            await StartTogetherAsync(nodes);

            await using var check = await nodes[0].GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
            (await check.Database.GetPendingMigrationsAsync()).ShouldBeEmpty();
            (await check.Database.GetAppliedMigrationsAsync()).ShouldBe(check.Database.GetMigrations());
            foreach (var node in nodes) await node.DisposeAsync();
        }
        finally { await server.DropDatabaseAsync(connection); }
    }

    [Fact]
    public async Task Nodes_starting_together_on_a_database_a_migration_behind_apply_it_once()
    {
        var server = await PostgresServer.GetAsync();
        var connection = await server.CreateDatabaseAsync();
        try
        {
            var nodes = Nodes(connection);
            await using (var first = await nodes[0].GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync())
                await DatabaseStartup.MigrateAsync(first);
            var all = await DatabaseStartupTests.RevertLastMigrationAsync(nodes[0].GetRequiredService<IDbContextFactory<RegistryDbContext>>());

            await StartTogetherAsync(nodes); // a second node applying it too would fail: its objects exist already

            await using var check = await nodes[0].GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
            (await check.Database.GetAppliedMigrationsAsync()).ShouldBe(all);
            foreach (var node in nodes) await node.DisposeAsync();
        }
        finally { await server.DropDatabaseAsync(connection); }
    }

    /// <summary>Each "node" its own service provider, so its own connection pool, as separate processes have.</summary>
    private static List<ServiceProvider> Nodes(string connection) => Enumerable.Range(0, 4).Select(_ => new ServiceCollection()
        .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3) // as the app's (passkeys)
        .AddSingleton(Options.Create(new RegistryOptions { Database = DatabaseProvider.PostgreSql, DatabaseConnection = connection }))
        .AddSingleton<WriteGeneration>()
        .AddRegistryDatabase(DatabaseProvider.PostgreSql)
        .BuildServiceProvider()).ToList();

    private static Task StartTogetherAsync(List<ServiceProvider> nodes) => Task.WhenAll(nodes.Select(node => Task.Run(async () =>
    {
        await using var db = await node.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        await DatabaseStartup.MigrateAsync(db);
    })));
}
