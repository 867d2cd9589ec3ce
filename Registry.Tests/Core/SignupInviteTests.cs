using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Identity;
using Registry.Core.Invitations;
using Registry.Core.Teams;

namespace Registry.Tests.Core;

/// <summary>An admin's sign-up links, attacked: reused, raced, expired, guessed, created by non-admins.</summary>
public class SignupInviteTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private TestDatabase db = default!;
    private SignupInviteService invites = default!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(Provider);
        invites = new SignupInviteService(db.Factory, new FixedOptions<AccountOptions>(new AccountOptions { InviteLifetime = TimeSpan.FromDays(2) }), db.Clock);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private RegistrationPolicy Policy(RegistrationMode mode) =>
        new(Options.Create(new AccountOptions { Registration = mode }), db.Factory,
            new TeamInviteLinks(db.Factory, new FixedOptions<AccountOptions>(new AccountOptions()), db.Clock), invites);

    [Fact]
    public async Task Only_admins_create_or_withdraw_links()
    {
        var root = await db.AddUserAsync("root", isAdmin: true);
        var bob = await db.AddUserAsync("bob");
        (await invites.CreateAsync(bob, "")).Outcome.ShouldBe(Outcome.Forbidden);
        (await invites.CreateAsync(root, new string('x', 201))).Outcome.ShouldBe(Outcome.Invalid);
        (await invites.CreateAsync(root, "for carol")).Succeeded.ShouldBeTrue();
        var row = (await invites.ListAsync(root)).ShouldHaveSingleItem();
        row.Note.ShouldBe("for carol");
        (await invites.ListAsync(bob)).ShouldBeEmpty();
        (await invites.RevokeAsync(bob, row.Id)).Outcome.ShouldBe(Outcome.Forbidden);
        (await invites.RevokeAsync(root, row.Id)).Succeeded.ShouldBeTrue();
        (await invites.ListAsync(root)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_link_opens_even_closed_registration_once()
    {
        var root = await db.AddUserAsync("root", isAdmin: true);
        var code = (await invites.CreateAsync(root, "")).Value!;
        var policy = Policy(RegistrationMode.Closed);

        (await policy.ClosedReasonAsync(code)).ShouldBeNull();
        var (claim, error) = await policy.ClaimSignupAsync(code);
        error.ShouldBeNull();
        var carol = await db.AddUserAsync("carol");
        await using (var context = await db.Factory.CreateDbContextAsync())
            await policy.SignupCreatedAsync(claim, await context.Users.FindAsync(carol.UserId));

        (await policy.ClosedReasonAsync(code)).ShouldBe(RegistrationPolicy.ExplainSignup(InviteStatus.Used));
        (await policy.ClaimSignupAsync(code)).Error.ShouldBe(RegistrationPolicy.ExplainSignup(InviteStatus.Used));
        (await invites.ListAsync(root)).ShouldHaveSingleItem().UsedBy.ShouldBe("carol");
        // Guessed or mangled codes are refused alike, in every mode.
        foreach (var guess in new[] { code[..^1], code + "x", code.ToUpperInvariant() })
            (await Policy(RegistrationMode.Open).ClosedReasonAsync(guess)).ShouldBe(RegistrationPolicy.ExplainSignup(InviteStatus.NotFound));
    }

    [Fact]
    public async Task Twenty_simultaneous_claims_of_one_link_succeed_once()
    {
        var root = await db.AddUserAsync("root", isAdmin: true);
        var code = (await invites.CreateAsync(root, "")).Value!;
        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => invites.ClaimAsync(code))));
        claims.Count(c => c.Id is not null).ShouldBe(1);
        claims.Where(c => c.Id is null).ShouldAllBe(c => c.Status == InviteStatus.Used);
    }

    [Fact]
    public async Task A_failed_sign_up_gives_the_link_back_and_an_expired_link_is_refused()
    {
        var root = await db.AddUserAsync("root", isAdmin: true);
        var code = (await invites.CreateAsync(root, "")).Value!;
        var policy = Policy(RegistrationMode.InviteOnly);
        var (claim, _) = await policy.ClaimSignupAsync(code);
        await policy.SignupCreatedAsync(claim, null); // the name was taken, say
        (await policy.ClosedReasonAsync(code)).ShouldBeNull();

        db.Clock.Advance(TimeSpan.FromDays(2));
        (await policy.ClosedReasonAsync(code)).ShouldBe(RegistrationPolicy.ExplainSignup(InviteStatus.Expired));
        (await policy.ClaimSignupAsync(code)).Error.ShouldBe(RegistrationPolicy.ExplainSignup(InviteStatus.Expired));
    }
}
