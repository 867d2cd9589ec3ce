using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Collections;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Invitations;
using Registry.Core.Teams;

namespace Registry.Tests.Core;

/// <summary>Deleting a user: refused while it would orphan something, and then nothing of theirs is left that works.</summary>
public class UserDeletionTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private TestDatabase db = default!;
    private UserDeletion deletion = default!;
    private readonly AccountChanges changes = new();

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(Provider);
        deletion = new UserDeletion(db.Factory, changes);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private async Task<string> EntityIdAsync(string name)
    {
        await using var context = await db.Factory.CreateDbContextAsync();
        return (await context.Entities.SingleAsync(e => e.Name == name)).Id;
    }

    [Fact]
    public async Task Non_admins_and_admins_themselves_are_refused()
    {
        var root = await db.AddUserAsync("root", isAdmin: true);
        var bob = await db.AddUserAsync("bob");
        var carol = await db.AddUserAsync("carol");
        (await deletion.DeleteAsync(bob, carol.UserId!)).Outcome.ShouldBe(Outcome.Forbidden);
        (await deletion.DeleteAsync(bob with { IsAdmin = false }, bob.UserId!)).Outcome.ShouldBe(Outcome.Forbidden);
        (await deletion.DeleteAsync(root, root.UserId!)).Outcome.ShouldBe(Outcome.Conflict);
        (await deletion.DeleteAsync(root, "no-such-id")).Outcome.ShouldBe(Outcome.NotFound);
    }

    [Fact]
    public async Task Refused_while_their_namespace_holds_collections_or_they_alone_own_a_team()
    {
        var root = await db.AddUserAsync("root", isAdmin: true);
        var bob = await db.AddUserAsync("bob");
        var collections = new CollectionService(db.Factory, Options.Create(new RegistryOptions { DataPath = db.Root }), db.Writes);
        var lab = (await collections.CreateAsync(bob, await EntityIdAsync("bob"), "lab", "", isPrivate: true)).Value!;
        var teams = new TeamService(db.Factory, new FixedOptions<AccountOptions>(new AccountOptions()));
        (await teams.CreateAsync(bob, "group", "", isOpen: false)).Succeeded.ShouldBeTrue();

        var refused = await deletion.DeleteAsync(root, bob.UserId!);
        refused.Outcome.ShouldBe(Outcome.Conflict);
        refused.Message.ShouldBe("bob still owns 1 collection (bob/lab): delete them first, or disable the account instead.");

        await using (var context = await db.Factory.CreateDbContextAsync())
        {
            context.Collections.Remove(await context.Collections.SingleAsync(c => c.Id == lab.Id));
            await context.SaveChangesAsync();
        }
        (await deletion.DeleteAsync(root, bob.UserId!)).Message.ShouldBe("bob is the only owner of team group: make another member an owner first, or disable the account instead.");
    }

    [Fact]
    public async Task A_deleted_users_tokens_memberships_and_invitations_go_and_their_sessions_are_told_at_once()
    {
        var root = await db.AddUserAsync("root", isAdmin: true);
        var alice = await db.AddUserAsync("alice");
        var bob = await db.AddUserAsync("bob");
        var tokens = new AccessTokenService(db.Factory, db.Clock, db.Writes);
        var secret = (await tokens.CreateAsync(bob, bob.UserId!, "ci", TokenScope.Write)).Value!.Secret!;
        var collections = new CollectionService(db.Factory, Options.Create(new RegistryOptions { DataPath = db.Root }), db.Writes);
        var lab = (await collections.CreateAsync(alice, await EntityIdAsync("alice"), "lab", "", isPrivate: true)).Value!;
        var invites = new MemberInviteService(db.Factory, db.Clock);
        (await invites.InviteToCollectionAsync(alice, lab.Id, "bob", CollectionRole.Owner)).Succeeded.ShouldBeTrue();
        (await invites.AnswerAsync(bob, (await invites.MineAsync(bob)).Single().Id, accept: true)).Succeeded.ShouldBeTrue();
        var told = new List<string>();
        changes.Changed += told.Add;

        var both = await Task.WhenAll(deletion.DeleteAsync(root, bob.UserId!), deletion.DeleteAsync(root, bob.UserId!));
        both.Count(r => r.Succeeded).ShouldBe(1);
        both.Count(r => r.Outcome == Outcome.NotFound).ShouldBe(1);

        told.ShouldBe([bob.UserId!]);
        (await tokens.AuthenticateAsync(secret, "127.0.0.1")).ShouldBeNull();
        await using var context = await db.Factory.CreateDbContextAsync();
        (await context.Users.AnyAsync(u => u.UserName == "bob")).ShouldBeFalse();
        (await context.Entities.AnyAsync(e => e.Name == "bob")).ShouldBeFalse();
        (await context.CollectionMembers.AnyAsync(m => m.UserId == bob.UserId)).ShouldBeFalse();
        (await context.AccessTokens.AnyAsync(t => t.UserId == bob.UserId)).ShouldBeFalse();
        (await context.AuditEvents.AnyAsync(e => e.Action == "user.delete" && e.Target == "bob")).ShouldBeTrue();
        (await context.Collections.SingleAsync()).Name.ShouldBe("lab"); // alice's collection stays hers
    }
}
