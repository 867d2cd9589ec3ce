using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Registry.Core;
using Registry.Core.Data;

namespace Registry.Tests.Core;

/// <summary>
/// Issue 18 (cold start): a start on a database that has every migration reads the migrations history and nothing else,
/// so EF's migrator (its model diff and its migration lock) does not run; a database a migration behind is still migrated
/// at start-up, by the migrator.
/// </summary>
public class DatabaseStartupTests
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    [Fact]
    public async Task A_start_on_an_up_to_date_database_only_reads_the_migrations_history()
    {
        var sent = new SentCommands();
        await using var db = await TestDatabase.CreateAsync(Provider, sent);
        sent.Texts.ShouldContain(t => t.Contains("lock", StringComparison.OrdinalIgnoreCase)); // the first start ran the migrator: it locks
        sent.Texts.Clear();

        await using (var context = await db.Factory.CreateDbContextAsync())
            await DatabaseStartup.MigrateAsync(context);

        sent.Texts.ShouldNotBeEmpty();
        sent.Texts.ShouldAllBe(t => t.Contains("__EFMigrationsHistory") || t.Contains("journal_mode"));
        sent.Texts.ShouldNotContain(t => t.Contains("lock", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_database_a_migration_behind_is_migrated_at_start_up()
    {
        var sent = new SentCommands();
        await using var db = await TestDatabase.CreateAsync(Provider, sent);
        var all = await RevertLastMigrationAsync(db.Factory);
        sent.Texts.Clear();

        await using (var context = await db.Factory.CreateDbContextAsync())
            await DatabaseStartup.MigrateAsync(context);

        await using var check = await db.Factory.CreateDbContextAsync();
        (await check.Database.GetAppliedMigrationsAsync()).ShouldBe(all);
        sent.Texts.ShouldContain(t => t.Contains("lock", StringComparison.OrdinalIgnoreCase)); // by the migrator, under its lock
        var last = all[^1];
        sent.Texts.ShouldContain(t => t.Contains(last)); // the history row of the migration applied again
    }

    /// <summary>Takes the database back to the version before (the last migration's Down); answers every migration's id.</summary>
    internal static async Task<string[]> RevertLastMigrationAsync(IDbContextFactory<RegistryDbContext> factory)
    {
        await using var context = await factory.CreateDbContextAsync();
        var all = context.Database.GetMigrations().ToArray();
        await context.GetService<IMigrator>().MigrateAsync(all[^2]);
        (await context.Database.GetPendingMigrationsAsync()).ShouldBe([all[^1]]);
        return all;
    }

    /// <summary>The text of every command EF sends, migrations and history reads included.</summary>
    private sealed class SentCommands : DbCommandInterceptor
    {
        public List<string> Texts { get; } = [];

        public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
        {
            lock (Texts) Texts.Add(result.CommandText);
            return result;
        }
    }
}
