using Microsoft.EntityFrameworkCore;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Identity;

namespace Registry.Tests.Core;

/// <summary>
/// Two admins acting at once, on one user or on each other: every call answers (no concurrency exception reaches the
/// page), the user ends in a state one of them asked for, and two admins demoting each other leave one admin.
/// </summary>
public class AdminRaceTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private TestDatabase db = default!;
    private UserAdminService users = default!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(Provider);
        users = db.UserAdmin();
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public async Task Admins_disabling_and_enabling_one_user_at_once_all_get_an_answer()
    {
        var admins = new List<Actor>();
        for (var i = 0; i < 4; i++) admins.Add(await db.AddUserAsync($"admin{i}", isAdmin: true));
        var carol = await db.AddUserAsync("carol");

        for (var round = 0; round < 5; round++)
        {
            var calls = admins.SelectMany((admin, i) => new[]
            {
                users.SetDisabledAsync(admin, carol.UserId!, disabled: i % 2 == 0),
                users.SetAdminAsync(admin, carol.UserId!, isAdmin: false),
            });
            var results = await Task.WhenAll(calls);
            results.ShouldAllBe(r => r.Succeeded || r.Outcome == Outcome.Conflict);
            results.Where(r => !r.Succeeded).ShouldAllBe(r => r.Message.Contains("carol"));
            results.Count(r => r.Succeeded).ShouldBeGreaterThan(0);
        }
        await using var context = await db.Factory.CreateDbContextAsync();
        var audited = await context.AuditEvents.CountAsync(e => e.Target == "carol");
        audited.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Two_admins_demoting_each_other_at_once_leave_one_admin()
    {
        for (var round = 0; round < 10; round++)
        {
            var ann = await db.AddUserAsync($"ann{round}", isAdmin: true);
            var bob = await db.AddUserAsync($"bob{round}", isAdmin: true);
            var results = await Task.WhenAll(users.SetAdminAsync(ann, bob.UserId!, false), users.SetAdminAsync(bob, ann.UserId!, false));

            results.Count(r => r.Succeeded).ShouldBe(1, $"round {round}: {string.Join("; ", results.Select(r => r.Message))}");
            results.Single(r => !r.Succeeded).Outcome.ShouldBe(Outcome.Forbidden);
            await using var context = await db.Factory.CreateDbContextAsync();
            (await context.Users.CountAsync(u => (u.Id == ann.UserId || u.Id == bob.UserId) && u.IsAdmin)).ShouldBe(1);
        }
    }
}
