using Registry.Core;
using Registry.Core.Identity;
using Registry.Core.Terms;

namespace Registry.Tests.Core;

public class TermsServiceTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private TestDatabase db = default!;
    private readonly FixedOptions<AccountOptions> options = new(new AccountOptions { TermsVersion = 2, TermsText = "# Terms" });
    private TermsService terms = default!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(Provider);
        terms = new TermsService(db.Factory, options, db.RegistryOptions);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Theory]
    [InlineData(0, null, true)]   // no terms configured
    [InlineData(2, null, false)]  // never agreed
    [InlineData(2, 1, false)]     // agreed to an older version
    [InlineData(2, 2, true)]
    public void HasAgreed_compares_with_the_current_version(int version, int? accepted, bool expected)
    {
        options.CurrentValue = new AccountOptions { TermsVersion = version };
        terms.HasAgreed(new RegistryUser { AcceptedTermsVersion = accepted }).ShouldBe(expected);
    }

    [Fact]
    public async Task Agreeing_records_the_version_and_publishing_asks_again()
    {
        var alice = await db.AddUserAsync("alice", isAdmin: true);
        (await terms.HasAgreedAsync(alice.UserId!)).ShouldBeFalse();

        await terms.AgreeAsync(alice);
        (await terms.HasAgreedAsync(alice.UserId!)).ShouldBeTrue();

        (await terms.PublishNewVersionAsync(alice)).Value.ShouldBe(3);
        (await terms.HasAgreedAsync(alice.UserId!)).ShouldBeFalse();
        new TermsService(db.Factory, options, db.RegistryOptions).CurrentVersion.ShouldBe(3); // survives a restart
    }

    [Fact]
    public async Task Only_admins_save_the_text_which_then_wins_over_the_settings_and_is_never_empty()
    {
        var root = await db.AddUserAsync("root", isAdmin: true);
        var bob = await db.AddUserAsync("bob");
        (await terms.SaveTextAsync(bob, "mine now")).Outcome.ShouldBe(Outcome.Forbidden);
        (await terms.GetTextAsync()).ShouldBe("# Terms");
        (await terms.SaveTextAsync(root, " \r\n ")).Message.ShouldBe("The terms can't be empty.");
        (await terms.SaveTextAsync(root, new string('x', TermsTextValidator.MaxLength + 1))).Outcome.ShouldBe(Outcome.Invalid);

        (await terms.SaveTextAsync(root, "# House rules\r\n\r\nBe kind. ")).Succeeded.ShouldBeTrue();
        (await terms.GetTextAsync()).ShouldBe("# House rules\n\nBe kind.\n");
        terms.CurrentVersion.ShouldBe(2); // saving asks nobody again
        // Two admins saving at once: one text or the other, never a mix or a torn file.
        await Task.WhenAll(Task.Run(() => terms.SaveTextAsync(root, "A")), Task.Run(() => terms.SaveTextAsync(root, "B")));
        (await terms.GetTextAsync()).ShouldBeOneOf("A\n", "B\n");
    }
}
