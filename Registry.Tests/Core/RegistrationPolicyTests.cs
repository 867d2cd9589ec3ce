using Microsoft.AspNetCore.Identity;
using Registry.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Identity;
using Registry.Core.Invitations;
using Registry.Core.Teams;

namespace Registry.Tests.Core;

/// <summary>Who may register: the mode, the first account, invites (hostile ones too) and the optional e-mail.</summary>
public class RegistrationPolicyTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private const string Closed = "Registration is closed on this registry. Ask an administrator for an account.";
    private const string InviteOnly = "This registry is invite-only: open the team invite link you were given to register.";
    private TestDatabase db = default!;
    private TeamService teams = default!;
    private TeamInviteLinks invites = default!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(Provider);
        var options = new FixedOptions<AccountOptions>(new AccountOptions { InviteLifetime = TimeSpan.FromDays(7) });
        teams = new TeamService(db.Factory, options);
        invites = new TeamInviteLinks(db.Factory, options, db.Clock);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private RegistrationPolicy Policy(RegistrationMode mode) =>
        new(Options.Create(new AccountOptions { Registration = mode }), db.Factory, invites,
            new SignupInviteService(db.Factory, new FixedOptions<AccountOptions>(new AccountOptions()), db.Clock));

    [Theory]
    [InlineData(RegistrationMode.Open)]
    [InlineData(RegistrationMode.InviteOnly)]
    [InlineData(RegistrationMode.Closed)]
    public async Task The_very_first_account_may_always_register(RegistrationMode mode) =>
        (await Policy(mode).ClosedReasonAsync(invite: null)).ShouldBeNull();

    [Fact]
    public async Task Once_an_account_exists_the_mode_decides()
    {
        await db.AddUserAsync("alice", isAdmin: true);

        (await Policy(RegistrationMode.Open).ClosedReasonAsync(null)).ShouldBeNull();
        (await Policy(RegistrationMode.Closed).ClosedReasonAsync(null)).ShouldBe(Closed);
        (await Policy(RegistrationMode.InviteOnly).ClosedReasonAsync(null)).ShouldBe(InviteOnly);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("lab")]
    [InlineData("lab/")]
    [InlineData("lab/not-the-code")]
    [InlineData("../lab/x")]
    [InlineData("other/CODE")] // the right code for another team
    public async Task Invite_only_refuses_anything_but_a_valid_invite_link(string invite)
    {
        var alice = await db.AddUserAsync("alice");
        await teams.CreateAsync(alice, "lab", "", isOpen: false);
        await teams.CreateAsync(alice, "other", "", isOpen: false);
        var code = (await invites.CreateAsync(alice, "lab")).Value!;
        var policy = Policy(RegistrationMode.InviteOnly);

        // Without a slash it is read as an admin's sign-up code, which these are not.
        (await policy.ClosedReasonAsync(invite.Replace("CODE", code))).ShouldBe(invite.Contains('/') || invite.Length == 0 ? InviteOnly : RegistrationPolicy.ExplainSignup(InviteStatus.NotFound));
        (await policy.ClosedReasonAsync($"lab/{code}")).ShouldBeNull();
        (await Policy(RegistrationMode.Closed).ClosedReasonAsync($"lab/{code}")).ShouldBe(Closed); // closed means closed
    }

    [Fact]
    public async Task Registering_with_an_invite_joins_the_team_once_and_lands_on_its_page()
    {
        var alice = await db.AddUserAsync("alice");
        await teams.CreateAsync(alice, "lab", "", isOpen: false);
        var code = (await invites.CreateAsync(alice, "lab")).Value!;
        await db.AddUserAsync("bob");
        await db.AddUserAsync("carol");
        await using var context = await db.Factory.CreateDbContextAsync();
        var bob = await context.Users.SingleAsync(u => u.UserName == "bob");
        var carol = await context.Users.SingleAsync(u => u.UserName == "carol");
        var policy = Policy(RegistrationMode.InviteOnly);

        (await policy.AcceptInviteAsync(bob, $"lab/{code}")).ShouldBe("/teams/lab");
        (await policy.AcceptInviteAsync(carol, $"lab/{code}")).ShouldBeNull(); // single use
        (await policy.ClosedReasonAsync($"lab/{code}")).ShouldBe(RegistrationPolicy.ExplainTeamLink("lab", InviteStatus.Used));
        (await policy.AcceptInviteAsync(carol, null)).ShouldBeNull();
    }

    [Fact]
    public async Task In_invite_only_mode_one_team_link_makes_one_account_even_used_at_once_and_a_failed_one_gives_it_back()
    {
        var alice = await db.AddUserAsync("alice");
        await teams.CreateAsync(alice, "lab", "", isOpen: false);
        var code = (await invites.CreateAsync(alice, "lab")).Value!;
        var policy = Policy(RegistrationMode.InviteOnly);
        var weak = await policy.CreateAccountAsync($"lab/{code}", new RegistryUser { UserName = "weak" },
            () => Task.FromResult(IdentityResult.Failed(new IdentityError { Description = "Passwords must be longer." })));
        weak.Result.Errors.Single().Description.ShouldBe("Passwords must be longer.");
        (await policy.ClosedReasonAsync($"lab/{code}")).ShouldBeNull(); // given back

        var made = 0;
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(n => Task.Run(async () =>
        {
            var user = new RegistryUser { UserName = $"new{n}", NormalizedUserName = $"NEW{n}" };
            return await policy.CreateAccountAsync($"lab/{code}", user, async () =>
            {
                Interlocked.Increment(ref made);
                await using var context = await db.Factory.CreateDbContextAsync();
                context.Users.Add(user);
                await context.SaveChangesAsync();
                return IdentityResult.Success;
            });
        })));

        made.ShouldBe(1);
        results.Single(r => r.Result.Succeeded).Landing.ShouldBe("/teams/lab");
        results.Where(r => !r.Result.Succeeded).Select(r => r.Result.Errors.Single().Description).Distinct()
            .ShouldBe([RegistrationPolicy.ExplainTeamLink("lab", InviteStatus.Used)]);
        await using var check = await db.Factory.CreateDbContextAsync();
        (await check.TeamMembers.CountAsync(m => m.Team!.Name == "lab")).ShouldBe(2); // alice and the one new account
        (await check.TeamInvitations.SingleAsync()).UsedById.ShouldNotBeNull();
        (await policy.ClosedReasonAsync($"lab/{code}")).ShouldBe(RegistrationPolicy.ExplainTeamLink("lab", InviteStatus.Used));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("", null, null)]
    [InlineData("   ", null, null)]
    [InlineData(" ann@example.org ", "ann@example.org", null)]
    [InlineData("ann", null, RegistrationPolicy.InvalidEmail)]
    [InlineData("ann@", null, RegistrationPolicy.InvalidEmail)]
    public void An_email_is_optional_but_must_look_like_one(string? input, string? email, string? error) =>
        RegistrationPolicy.EmailOf(input).ShouldBe((email, error));
}
