using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Images;
using Registry.Core.Storage;
using Registry.Core.Storage.FileSystem;

namespace Registry.Tests.Core;

/// <summary>
/// Which statements drop the cached reads. Judged per statement, as the server's interceptor judges them (the generation
/// itself is process-wide and other tests write at the same time).
/// </summary>
public sealed class WriteTrackerTests
{
    private sealed class Judge : DbCommandInterceptor
    {
        public List<(string Sql, bool Counts)> Seen { get; } = [];

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken ct = default)
        {
            lock (Seen) Seen.Add((command.CommandText, WriteTracker.IsWrite(command)));
            return ValueTask.FromResult(result);
        }
    }

    [Fact]
    public async Task A_tokens_last_used_time_and_a_download_count_leave_cached_reads_alone_and_other_updates_do_not()
    {
        var judge = new Judge();
        await using var db = await TestDatabase.CreateAsync(judge);
        var owner = await db.AddUserAsync("ann");
        var tokens = new AccessTokenService(db.Factory, db.Clock);
        var secret = (await tokens.CreateAsync(owner, owner.UserId!, "ci", TokenScope.Write)).Value!.Secret!;
        var images = new ImageService(db.Factory, new FileSystemBlobStore(db.Root), NullLogger<ImageService>.Instance);
        judge.Seen.Clear();

        (await tokens.AuthenticateAsync(secret, "127.0.0.1")).ShouldNotBeNull(); // first use: writes LastUsedAt
        await images.RecordDownloadAsync("no-such-container");
        await using (var context = await db.Factory.CreateDbContextAsync())
            await context.AccessTokens.ExecuteUpdateAsync(u => u.SetProperty(t => t.Label, "renamed"));

        judge.Seen.Select(s => (s.Sql.Split('\n')[0].Trim(), s.Counts)).ShouldBe([
            ("UPDATE \"AccessTokens\" AS \"a\"", false),
            ("UPDATE \"Containers\" AS \"c\"", false),
            ("UPDATE \"AccessTokens\" AS \"a\"", true),
        ]);
    }
}
