using Microsoft.EntityFrameworkCore;
using Registry.Core;
using Registry.Core.Entities;
using Registry.Core.Identity;
using Registry.Core.Teams;

namespace Registry.Tests.Core;

public class TeamServiceTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private TestDatabase db = default!;
    private TeamService teams = default!;
    private TeamInviteLinks invites = default!;
    private readonly FixedOptions<AccountOptions> options = new(new AccountOptions { InviteLifetime = TimeSpan.FromDays(7) });

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(Provider);
        teams = new TeamService(db.Factory, options);
        invites = new TeamInviteLinks(db.Factory, options, db.Clock);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public async Task Creating_a_team_creates_its_entity_and_makes_the_creator_owner()
    {
        var alice = await db.AddUserAsync("alice");

        var result = await teams.CreateAsync(alice, "lab", "the lab", isOpen: false);

        result.Outcome.ShouldBe(Outcome.Created);
        await using var context = await db.Factory.CreateDbContextAsync();
        var entity = await context.Entities.SingleAsync(e => e.Name == "lab");
        entity.Kind.ShouldBe(EntityKind.Team);
        entity.TeamId.ShouldBe(result.Value!.Id);
        (await teams.FindAsync("lab"))!.Members.ShouldHaveSingleItem().Role.ShouldBe(TeamRole.Owner);
    }

    [Theory]
    [InlineData("alice")] // a user's namespace
    [InlineData("lab")]   // another team
    [InlineData("Bad Name")]
    public async Task A_team_name_must_be_valid_and_free(string name)
    {
        var alice = await db.AddUserAsync("alice");
        await teams.CreateAsync(alice, "lab", "", isOpen: true);

        var result = await teams.CreateAsync(alice, name, "", isOpen: true);

        result.Outcome.ShouldBeOneOf(Outcome.Conflict, Outcome.Invalid);
        (await teams.ListAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_invite_link_works_once_and_a_second_use_is_refused()
    {
        var alice = await db.AddUserAsync("alice");
        var bob = await db.AddUserAsync("bob");
        var carol = await db.AddUserAsync("carol");
        await teams.CreateAsync(alice, "lab", "", isOpen: false);
        var code = (await invites.CreateAsync(alice, "lab")).Value!;

        (await invites.AcceptAsync(bob, "lab", code)).ShouldBe(InviteStatus.Joined);
        (await invites.AcceptAsync(carol, "lab", code)).ShouldBe(InviteStatus.Used);
        (await invites.CheckAsync("lab", code)).ShouldBe(InviteStatus.Used);

        var members = (await teams.FindAsync("lab"))!.Members.Select(m => m.User!.UserName).Order().ToList();
        members.ShouldBe(["alice", "bob"]);
    }

    [Fact]
    public async Task An_invite_link_expires_after_the_configured_lifetime()
    {
        var alice = await db.AddUserAsync("alice");
        var bob = await db.AddUserAsync("bob");
        await teams.CreateAsync(alice, "lab", "", isOpen: false);
        var code = (await invites.CreateAsync(alice, "lab")).Value!;

        db.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));

        (await invites.AcceptAsync(bob, "lab", code)).ShouldBe(InviteStatus.Expired);
        (await teams.FindAsync("lab"))!.Members.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Only_owners_create_invites_and_a_wrong_code_is_not_found()
    {
        var alice = await db.AddUserAsync("alice");
        var bob = await db.AddUserAsync("bob");
        await teams.CreateAsync(alice, "lab", "", isOpen: false);

        (await invites.CreateAsync(bob, "lab")).Outcome.ShouldBe(Outcome.Forbidden);
        (await invites.AcceptAsync(bob, "lab", "not-a-code")).ShouldBe(InviteStatus.NotFound);
    }

    [Fact]
    public async Task Invite_only_teams_cannot_be_joined_directly_but_open_ones_can()
    {
        var alice = await db.AddUserAsync("alice");
        var bob = await db.AddUserAsync("bob");
        await teams.CreateAsync(alice, "closed", "", isOpen: false);
        await teams.CreateAsync(alice, "open", "", isOpen: true);

        (await teams.JoinAsync(bob, "closed")).Outcome.ShouldBe(Outcome.Forbidden);
        (await teams.JoinAsync(bob, "open")).Outcome.ShouldBe(Outcome.Created);
    }

    [Fact]
    public async Task The_last_owner_cannot_leave_or_be_demoted()
    {
        var alice = await db.AddUserAsync("alice");
        await teams.CreateAsync(alice, "lab", "", isOpen: true);

        (await teams.RemoveMemberAsync(alice, "lab", alice.UserId!)).Outcome.ShouldBe(Outcome.Conflict);
        (await teams.SetRoleAsync(alice, "lab", alice.UserId!, TeamRole.Member)).Outcome.ShouldBe(Outcome.Conflict);
    }

    [Fact]
    public async Task Deleting_a_team_removes_its_entity()
    {
        var alice = await db.AddUserAsync("alice");
        await teams.CreateAsync(alice, "lab", "", isOpen: true);

        (await teams.DeleteAsync(alice, "lab")).Succeeded.ShouldBeTrue();

        await using var context = await db.Factory.CreateDbContextAsync();
        (await context.Entities.AnyAsync(e => e.Name == "lab")).ShouldBeFalse();
    }
}
