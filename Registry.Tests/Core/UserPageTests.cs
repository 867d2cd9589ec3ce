using Registry.Core;
using Registry.Core.Identity;

namespace Registry.Tests.Core;

/// <summary>
/// The admin's user table reads one page at a time from the database (issue 18: at a million images an institute has
/// thousands of users, and the whole table took a second of server time per render at a few hundred).
/// </summary>
public class UserPageTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private TestDatabase db = default!;
    private UserAdminService users = default!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(Provider);
        users = db.UserAdmin();
        await using var context = await db.Factory.CreateDbContextAsync();
        foreach (var i in Enumerable.Range(0, 60))
        {
            var name = $"user{i:D2}";
            var email = i % 10 == 0 ? $"Lead{i}@Lab.example" : $"{name}@uni.example";
            context.Users.Add(new RegistryUser { UserName = name, NormalizedUserName = name.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant() });
        }
        await context.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private static string[] Names(UserPage page) => page.Users.Select(u => u.UserName!).ToArray();

    [Fact]
    public async Task Pages_hold_the_asked_number_of_users_in_name_order_and_the_total_counts_them_all()
    {
        var first = await users.PageAsync(null, 0, 25);
        first.Total.ShouldBe(60);
        Names(first).ShouldBe(Enumerable.Range(0, 25).Select(i => $"user{i:D2}"));
        var last = await users.PageAsync("", 2, 25);
        Names(last).ShouldBe(Enumerable.Range(50, 10).Select(i => $"user{i:D2}"));
        (await users.PageAsync(null, 3, 25)).Users.ShouldBeEmpty();
        (await users.PageAsync(null, -4, 25)).Users.Count.ShouldBe(25); // a hand-made page number starts at the first
        (await users.PageAsync(null, 0, 100_000)).Users.Count.ShouldBe(60);
        (await users.PageAsync(null, 0, 0)).Users.Count.ShouldBe(1);
    }

    [Fact]
    public async Task The_filter_matches_part_of_a_name_or_an_e_mail_in_any_case_and_pages_what_it_matched()
    {
        var byName = await users.PageAsync(" USER1 ", 0, 5);
        byName.Total.ShouldBe(10);
        Names(byName).ShouldBe(["user10", "user11", "user12", "user13", "user14"]);
        Names(await users.PageAsync("user1", 1, 5)).ShouldBe(["user15", "user16", "user17", "user18", "user19"]);

        var byEmail = await users.PageAsync("lab.EXAMPLE", 0, 25);
        byEmail.Total.ShouldBe(6);
        Names(byEmail).ShouldBe(["user00", "user10", "user20", "user30", "user40", "user50"]);
        var none = await users.PageAsync("nobody%_", 0, 25); // LIKE's wildcards are matched as themselves
        none.Total.ShouldBe(0);
        none.Users.ShouldBeEmpty();
    }
}
