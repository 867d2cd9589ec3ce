using System.Data.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Registry.Core;
using Registry.Core.Identity.AccessTokens;

namespace Registry.Tests.Core;

/// <summary>
/// One live CLI secret per user whatever the timing, asked on two nodes (two <see cref="CliSecrets"/> on one database,
/// sharing the Data Protection keys as nodes do): first asks that all read "none yet" before any of them writes answer one
/// secret, and rotations at once leave exactly one working, the one saved last.
/// </summary>
public class CliSecretRaceTests
{
    private const int Racers = 8;

    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    [Fact]
    public async Task First_asks_that_all_found_no_secret_answer_the_one_secret_made()
    {
        var together = new ReadsTogether(Racers);
        await using var db = await TestDatabase.CreateAsync(Provider, together);
        var nodes = TwoNodes(db);
        var user = await db.AddUserAsync("racer");

        var answers = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => Task.Run(() => nodes[i % 2].GetOrCreateAsync(user))));

        together.Released.ShouldBeTrue(); // every ask read "no secret yet" before any wrote: the race really ran
        var secret = answers.Distinct().ShouldHaveSingleItem()!;
        secret.ShouldStartWith("reg_");
        await using var context = await db.Factory.CreateDbContextAsync();
        var row = (await context.AccessTokens.Where(t => t.UserId == user.UserId && t.IsCliSecret).ToListAsync()).ShouldHaveSingleItem();
        (row.SecretHash, row.RevokedAt).ShouldBe((Ids.Sha256Hex(secret), (DateTime?)null));
        (await context.AuditEvents.CountAsync(e => e.Action == "token.cli-secret.create")).ShouldBe(1);
    }

    [Fact]
    public async Task Rotations_at_once_leave_exactly_one_live_secret_the_one_saved_last()
    {
        await using var db = await TestDatabase.CreateAsync(Provider);
        var nodes = TwoNodes(db);
        var user = await db.AddUserAsync("rotator");
        var first = await nodes[0].GetOrCreateAsync(user);

        var rotated = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => Task.Run(() => nodes[i % 2].RotateAsync(user))));

        rotated.ShouldAllBe(r => r.Succeeded);
        var secrets = rotated.Select(r => r.Value!).ToList();
        secrets.Distinct().Count().ShouldBe(Racers);
        await using var context = await db.Factory.CreateDbContextAsync();
        var rows = await context.AccessTokens.Where(t => t.UserId == user.UserId && t.IsCliSecret).ToListAsync();
        rows = [.. rows.OrderBy(t => t.CreatedAt)];
        rows.Count.ShouldBe(Racers + 1);
        rows[0].SecretHash.ShouldBe(Ids.Sha256Hex(first!));
        // One after the other: each rotation revoked the secret saved just before it, at the moment it saved its own.
        for (var i = 0; i < Racers; i++) rows[i].RevokedAt.ShouldBe(rows[i + 1].CreatedAt);
        rows[^1].RevokedAt.ShouldBeNull();
        var winner = secrets.Single(s => Ids.Sha256Hex(s) == rows[^1].SecretHash);
        (await context.AuditEvents.CountAsync(e => e.Action == "token.cli-secret.rotate")).ShouldBe(Racers);
        (await nodes[1].GetOrCreateAsync(user)).ShouldBe(winner);
        var tokens = new AccessTokenService(db.Factory, db.Clock, db.Writes);
        foreach (var secret in secrets.Append(first!))
            (await tokens.AuthenticateAsync(secret, "127.0.0.1", acceptCliSecret: true) is not null).ShouldBe(secret == winner, secret);
    }

    private static CliSecrets[] TwoNodes(TestDatabase db)
    {
        // One key ring, as nodes share theirs; the real clock, so the order the secrets were saved in shows in their rows.
        var keys = new TokenSecrets(new EphemeralDataProtectionProvider());
        return [new CliSecrets(db.Factory, keys, TimeProvider.System), new CliSecrets(db.Factory, keys, TimeProvider.System)];
    }

    /// <summary>
    /// Holds each of the first <paramref name="racers"/> reads of a user's live secret until all of them have read, so
    /// every ask finds none before any writes (the widest race two nodes can have).
    /// </summary>
    private sealed class ReadsTogether(int racers) : DbCommandInterceptor
    {
        private readonly TaskCompletionSource all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int reads;

        public bool Released => all.Task.IsCompletedSuccessfully;

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken ct = default)
        {
            if (command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)
                && command.CommandText.Contains("\"IsCliSecret\"") && Interlocked.Increment(ref reads) is var n && n <= racers)
            {
                if (n == racers) all.TrySetResult();
                await all.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            }
            return result;
        }
    }
}
