using Registry.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Core.Storage.FileSystem;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Images;
using Registry.Core.Storage;

namespace Registry.Tests.Core;

/// <summary>What moves the read caches' generation, and what leaves it alone. Each test owns its generation.</summary>
public class WriteGenerationTests
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    [Fact]
    public async Task A_tokens_last_used_time_and_a_download_count_leave_cached_reads_alone()
    {
        await using var db = await TestDatabase.CreateAsync(Provider);
        var writes = db.Writes;
        var owner = await db.AddUserAsync("ann");
        var tokens = new AccessTokenService(db.Factory, db.Clock, writes);
        var secret = (await tokens.CreateAsync(owner, owner.UserId!, "ci", TokenScope.Write)).Value!.Secret!;
        var downloads = new DownloadCounts(db.Factory, NullLogger<DownloadCounts>.Instance);
        var before = writes.Current;

        (await tokens.AuthenticateAsync(secret, "127.0.0.1")).ShouldNotBeNull(); // first use: writes LastUsedAt
        downloads.Record("no-such-container");
        await downloads.WritePendingAsync(CancellationToken.None);

        writes.Current.ShouldBe(before);
        await using var context = await db.Factory.CreateDbContextAsync();
        (await context.AccessTokens.SingleAsync()).LastUsedAt.ShouldNotBeNull(); // it was written, just not counted
    }

    [Fact]
    public async Task Saving_a_change_or_committing_a_transaction_moves_it_and_saving_nothing_does_not()
    {
        await using var db = await TestDatabase.CreateAsync(Provider);
        var writes = db.Writes;
        var owner = await db.AddUserAsync("ann");
        var tokens = new AccessTokenService(db.Factory, db.Clock, writes);

        var before = writes.Current;
        await tokens.CreateAsync(owner, owner.UserId!, "ci", TokenScope.Write);
        writes.Current.ShouldBeGreaterThan(before);

        await using var context = await db.Factory.CreateDbContextAsync();
        before = writes.Current;
        await context.SaveChangesAsync();
        writes.Current.ShouldBe(before);

        // A raw statement is the caller's to announce; inside a transaction, the commit announces it.
        await context.AccessTokens.ExecuteUpdateAsync(u => u.SetProperty(t => t.Label, "renamed"));
        writes.Current.ShouldBe(before);
        await using (var tx = await context.Database.BeginTransactionAsync())
        {
            await context.AccessTokens.ExecuteUpdateAsync(u => u.SetProperty(t => t.Label, "again"));
            await tx.CommitAsync();
        }
        writes.Current.ShouldBeGreaterThan(before);
    }

    [Fact]
    public void Another_process_bumping_through_the_signal_file_moves_a_watching_servers_generation()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("registry-signal-").FullName, "writes.signal");
        var cli = new WriteGeneration();
        cli.SignalWritesTo(file);
        var server = new WriteGeneration();
        server.WatchWritesOf(file);
        var before = server.Current;

        Thread.Sleep(20); // the server looks at the file at most once per 10 ms, and file times need to differ
        cli.Bump();
        Thread.Sleep(20);

        server.Current.ShouldBeGreaterThan(before);
        var after = server.Current;
        Thread.Sleep(20);
        server.Current.ShouldBe(after); // no further write, no further move
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }
}
