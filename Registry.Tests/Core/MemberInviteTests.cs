using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Identity;
using Registry.Core.Invitations;
using Registry.Core.Teams;

namespace Registry.Tests.Core;

/// <summary>Adding anyone by name to a collection: nothing changes until they accept; strangers can't accept for them.</summary>
public class MemberInviteTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private TestDatabase db = default!;
    private MemberInviteService invites = default!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(Provider);
        invites = new MemberInviteService(db.Factory, db.Clock);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private async Task<string> PrivateCollectionAsync(Actor owner)
    {
        await using (var context = await db.Factory.CreateDbContextAsync())
        {
            var entity = await context.Entities.SingleAsync(e => e.Name == owner.UserName);
            var collections = new CollectionService(db.Factory, Options.Create(new RegistryOptions { DataPath = db.Root }), db.Writes);
            return (await collections.CreateAsync(owner, entity.Id, "lab", "", isPrivate: true)).Value!.Id;
        }
    }

    private async Task<CollectionAccess> AccessAsync(Actor actor, string collectionId)
    {
        await using var context = await db.Factory.CreateDbContextAsync();
        return AccessRules.For(actor, await context.Collections.AsNoTracking().WithAccessGraph().SingleAsync(c => c.Id == collectionId));
    }

    [Fact]
    public async Task An_owner_invites_a_stranger_by_name_who_gets_access_only_by_accepting_once()
    {
        var alice = await db.AddUserAsync("alice");
        var bob = await db.AddUserAsync("bob");
        var lab = await PrivateCollectionAsync(alice);

        (await invites.InviteToCollectionAsync(alice, lab, "  Bob ", CollectionRole.Contributor)).Succeeded.ShouldBeTrue();
        (await AccessAsync(bob, lab)).CanView.ShouldBeFalse();
        (await invites.PendingForCollectionAsync(alice, lab)).ShouldHaveSingleItem().Target.ShouldBe("bob");
        (await invites.PendingForCollectionAsync(bob, lab)).ShouldBeEmpty(); // not an owner: sees no list
        var mine = (await invites.MineAsync(bob)).ShouldHaveSingleItem();
        mine.Target.ShouldBe("alice/lab");
        mine.InvitedBy.ShouldBe("alice");

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => invites.AnswerAsync(bob, mine.Id, accept: true))));
        answers.Count(a => a.Succeeded).ShouldBe(1);
        (await AccessAsync(bob, lab)).CanView.ShouldBeTrue();
        (await AccessAsync(bob, lab)).CanManage.ShouldBeFalse();
        (await invites.MineAsync(bob)).ShouldBeEmpty();
        (await invites.InviteToCollectionAsync(alice, lab, "bob", CollectionRole.Owner)).Message.ShouldBe("bob is already a member of alice/lab: change the role in the list.");
    }

    [Fact]
    public async Task Strangers_can_neither_invite_nor_answer_for_someone_else_and_unknown_names_are_said_so()
    {
        var alice = await db.AddUserAsync("alice");
        var bob = await db.AddUserAsync("bob");
        var mallory = await db.AddUserAsync("mallory");
        var lab = await PrivateCollectionAsync(alice);

        (await invites.InviteToCollectionAsync(mallory, lab, "mallory", CollectionRole.Owner)).Outcome.ShouldBe(Outcome.Forbidden);
        (await invites.InviteToCollectionAsync(alice, lab, "nobody", CollectionRole.Owner)).Message.ShouldBe("There is no user named nobody.");
        (await invites.InviteToCollectionAsync(alice, lab, "alice", CollectionRole.Owner)).Message.ShouldBe("alice owns alice/lab already.");
        (await invites.InviteToCollectionAsync(alice, lab, "bob", CollectionRole.Owner)).Succeeded.ShouldBeTrue();
        var id = (await invites.PendingForCollectionAsync(alice, lab)).Single().Id;

        (await invites.AnswerAsync(mallory, id, accept: true)).Outcome.ShouldBe(Outcome.NotFound);
        (await invites.AnswerAsync(mallory, id, accept: false)).Outcome.ShouldBe(Outcome.NotFound);
        (await AccessAsync(mallory, lab)).CanView.ShouldBeFalse();
        (await invites.AnswerAsync(alice, id, accept: false)).Succeeded.ShouldBeTrue(); // the owner withdraws it
        (await invites.AnswerAsync(bob, id, accept: true)).Outcome.ShouldBe(Outcome.NotFound);
        (await AccessAsync(bob, lab)).CanView.ShouldBeFalse();
    }

    [Fact]
    public async Task A_team_owner_invites_by_name_and_the_person_joins_only_by_accepting()
    {
        var alice = await db.AddUserAsync("alice");
        var bob = await db.AddUserAsync("bob");
        var mallory = await db.AddUserAsync("mallory");
        var teams = new TeamService(db.Factory, new FixedOptions<AccountOptions>(new AccountOptions()));
        (await teams.CreateAsync(alice, "lab", "", isOpen: false)).Succeeded.ShouldBeTrue();
        async Task<bool> IsMemberAsync(Actor a) => (await teams.ListAsync()).Single(t => t.Name == "lab").Members.Any(m => m.UserId == a.UserId);

        (await invites.InviteToTeamAsync(mallory, "lab", "mallory", TeamRole.Owner)).Outcome.ShouldBe(Outcome.Forbidden);
        (await invites.InviteToTeamAsync(alice, "lab", "bob", TeamRole.Reader)).Succeeded.ShouldBeTrue();
        (await IsMemberAsync(bob)).ShouldBeFalse();
        var invite = (await invites.MineAsync(bob)).ShouldHaveSingleItem();
        invite.Target.ShouldBe("team lab");
        (await invites.AnswerAsync(mallory, invite.Id, accept: true)).Outcome.ShouldBe(Outcome.NotFound);
        (await IsMemberAsync(mallory)).ShouldBeFalse();
        (await invites.AnswerAsync(bob, invite.Id, accept: true)).Value.ShouldBe("team lab");
        (await IsMemberAsync(bob)).ShouldBeTrue();
        (await invites.InviteToTeamAsync(alice, "lab", "bob", TeamRole.Owner)).Outcome.ShouldBe(Outcome.Conflict);
    }
}
