using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Data;

namespace Registry.Tests.Postgres;

/// <summary>Several nodes starting at once on one empty PostgreSQL database: one migrates, the others wait, all start.</summary>
public sealed class PostgresMigrationTests
{
    [Fact]
    public async Task Nodes_starting_together_on_an_empty_database_all_migrate_without_error()
    {
        var server = await PostgresServer.GetAsync();
        var connection = await server.CreateDatabaseAsync();
        try
        {
            // Each "node" its own service provider, so its own connection pool, as separate processes have.
            var nodes = Enumerable.Range(0, 4).Select(_ => new ServiceCollection()
                .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3) // as the app's (passkeys)
                .AddSingleton(Options.Create(new RegistryOptions { Database = DatabaseProvider.PostgreSql, DatabaseConnection = connection }))
                .AddSingleton<WriteGeneration>()
                .AddRegistryDatabase(DatabaseProvider.PostgreSql)
                .BuildServiceProvider()).ToList();

            await Task.WhenAll(nodes.Select(node => Task.Run(async () =>
            {
                await using var db = await node.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
                await DatabaseStartup.MigrateAsync(db);
            })));

            await using var check = await nodes[0].GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
            (await check.Database.GetPendingMigrationsAsync()).ShouldBeEmpty();
            (await check.Database.GetAppliedMigrationsAsync()).ShouldBe(check.Database.GetMigrations());
            foreach (var node in nodes) await node.DisposeAsync();
        }
        finally { await server.DropDatabaseAsync(connection); }
    }
}
