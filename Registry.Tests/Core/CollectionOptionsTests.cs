using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Teams;

namespace Registry.Tests.Core;

/// <summary>The registry's collection options (UserCollections, DefaultPrivate, PrivateOnly, MaxCollectionsPerUser) in CollectionService.</summary>
public class CollectionOptionsTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private TestDatabase db = default!;

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync(Provider);
    public async Task DisposeAsync() => await db.DisposeAsync();

    private CollectionService Service(Action<RegistryOptions> configure)
    {
        var options = new RegistryOptions { DataPath = db.Root };
        configure(options);
        return new CollectionService(db.Factory, Options.Create(options), db.Writes);
    }

    private async Task<string> EntityIdAsync(string name)
    {
        await using var context = await db.Factory.CreateDbContextAsync();
        return (await context.Entities.SingleAsync(e => e.Name == name)).Id;
    }

    private async Task<List<string>> CollectionsOfAsync(string entity)
    {
        await using var context = await db.Factory.CreateDbContextAsync();
        return await context.Collections.Where(c => c.Entity!.Name == entity).OrderBy(c => c.Name).Select(c => c.Name).ToListAsync();
    }

    [Fact]
    public async Task Without_UserCollections_only_admins_create_collections_and_pushes_to_existing_ones_still_work()
    {
        var alice = await db.AddUserAsync("alice");
        var root = await db.AddUserAsync("root", isAdmin: true);
        var collections = Service(o => o.UserCollections = false);
        var aliceEntity = await EntityIdAsync("alice");

        var refused = await collections.CreateAsync(alice, aliceEntity, "tools", "");

        refused.Outcome.ShouldBe(Outcome.Forbidden);
        refused.Message.ShouldBe("only administrators create collections on this registry: ask one to create alice/tools, or push to an existing collection");
        (await CollectionsOfAsync("alice")).ShouldBeEmpty();
        (await collections.CanCreateInAsync(alice, "alice")).Message.ShouldBe("only administrators create collections on this registry: ask one to create collections in alice, or push to an existing collection");

        (await collections.CreateAsync(root, aliceEntity, "tools", "")).Outcome.ShouldBe(Outcome.Created);
        (await collections.CanCreateInAsync(root, "alice")).Succeeded.ShouldBeTrue();
        // A push's POST /v1/collections for a collection that exists (a concurrent first push) still gets it.
        var existing = await collections.CreateAsync(alice, aliceEntity, "tools", "");
        existing.Outcome.ShouldBe(Outcome.Ok);
        existing.Value!.Name.ShouldBe("tools");
        (await CollectionsOfAsync("alice")).ShouldBe(["tools"]);
    }

    [Fact]
    public async Task MaxCollectionsPerUser_holds_when_many_creations_race()
    {
        var alice = await db.AddUserAsync("alice");
        var collections = Service(o => o.MaxCollectionsPerUser = 2);
        var aliceEntity = await EntityIdAsync("alice");

        var results = await Task.WhenAll(Enumerable.Range(1, 40).Select(i => Task.Run(() => collections.CreateAsync(alice, aliceEntity, $"c{i}", ""))));

        results.Count(r => r.Outcome == Outcome.Created).ShouldBe(2);
        results.Where(r => r.Outcome != Outcome.Created).ShouldAllBe(r => r.Outcome == Outcome.Forbidden);
        (await CollectionsOfAsync("alice")).Count.ShouldBe(2);
        // Pushes racing to create the same new collection all get it, even when it is the last one the limit allows.
        var bob = await db.AddUserAsync("bob");
        var bobEntity = await EntityIdAsync("bob");
        var limited = Service(o => o.MaxCollectionsPerUser = 1);
        var same = await Task.WhenAll(Enumerable.Range(1, 20).Select(_ => Task.Run(() => limited.CreateAsync(bob, bobEntity, "shared", ""))));
        same.ShouldAllBe(r => r.Succeeded);
        same.Select(r => r.Value!.Id).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task MaxCollectionsPerUser_caps_each_entity_a_user_owns_but_not_admins()
    {
        var alice = await db.AddUserAsync("alice");
        var root = await db.AddUserAsync("root", isAdmin: true);
        (await new TeamService(db.Factory, new FixedOptions<AccountOptions>(new AccountOptions())).CreateAsync(alice, "lab", "", false)).Succeeded.ShouldBeTrue();
        var collections = Service(o => o.MaxCollectionsPerUser = 2);
        var aliceEntity = await EntityIdAsync("alice");
        var labEntity = await EntityIdAsync("lab");

        foreach (var name in new[] { "one", "two" })
        {
            (await collections.CreateAsync(alice, aliceEntity, name, "")).Outcome.ShouldBe(Outcome.Created);
            (await collections.CreateAsync(alice, labEntity, name, "")).Outcome.ShouldBe(Outcome.Created);
        }
        var third = await collections.CreateAsync(alice, aliceEntity, "three", "");
        var thirdInTeam = await collections.CreateAsync(alice, labEntity, "three", "");

        third.Outcome.ShouldBe(Outcome.Forbidden);
        third.Message.ShouldBe("alice has reached the collection limit of this registry (2): push to an existing collection or delete one");
        thirdInTeam.Message.ShouldBe("lab has reached the collection limit of this registry (2): push to an existing collection or delete one");
        (await CollectionsOfAsync("alice")).ShouldBe(["one", "two"]);
        (await CollectionsOfAsync("lab")).ShouldBe(["one", "two"]);
        (await collections.CanCreateInAsync(alice, "alice")).Outcome.ShouldBe(Outcome.Forbidden);
        (await collections.CreateAsync(alice, aliceEntity, "one", "")).Outcome.ShouldBe(Outcome.Ok); // existing: not a new one

        (await collections.CreateAsync(root, aliceEntity, "three", "")).Outcome.ShouldBe(Outcome.Created);
        (await CollectionsOfAsync("alice")).ShouldBe(["one", "three", "two"]);
    }

    [Fact]
    public async Task DefaultPrivate_makes_new_collections_private_unless_public_is_asked_for()
    {
        var alice = await db.AddUserAsync("alice");
        var collections = Service(o => o.DefaultPrivate = true);
        var entity = await EntityIdAsync("alice");

        (await collections.CreateAsync(alice, entity, "quiet", "")).Value!.IsPrivate.ShouldBeTrue();
        (await collections.CreateAsync(alice, entity, "open", "", isPrivate: false)).Value!.IsPrivate.ShouldBeFalse();
        (await Service(_ => { }).CreateAsync(alice, entity, "plain", "")).Value!.IsPrivate.ShouldBeFalse();
    }

    [Fact]
    public async Task PrivateOnly_forces_new_collections_private_and_refuses_making_one_public_even_to_admins()
    {
        var alice = await db.AddUserAsync("alice");
        var root = await db.AddUserAsync("root", isAdmin: true);
        var collections = Service(o => o.PrivateOnly = true);

        var created = await collections.CreateAsync(alice, await EntityIdAsync("alice"), "tools", "", isPrivate: false);
        created.Value!.IsPrivate.ShouldBeTrue();

        foreach (var who in new[] { alice, root })
        {
            var refused = await collections.SetPrivateAsync(who, created.Value.Id, false);
            refused.Outcome.ShouldBe(Outcome.Forbidden);
            refused.Message.ShouldBe("this registry keeps every collection private: alice/tools cannot be made public");
        }
        await using var context = await db.Factory.CreateDbContextAsync();
        (await context.Collections.SingleAsync(c => c.Id == created.Value.Id)).IsPrivate.ShouldBeTrue();
        (await context.AuditEvents.CountAsync(e => e.Action == "collection.public")).ShouldBe(0);
    }

    [Fact]
    public async Task Turning_PrivateOnly_on_makes_collections_left_public_private_with_an_audit_event()
    {
        var alice = await db.AddUserAsync("alice");
        var entity = await EntityIdAsync("alice");
        var before = Service(_ => { });
        var open = (await before.CreateAsync(alice, entity, "open", "")).Value!;
        var hidden = (await before.CreateAsync(alice, entity, "hidden", "", isPrivate: true)).Value!;
        var system = new Actor("system", "system", true, TokenScope.Admin, Address: "startup");

        (await before.EnforcePrivateOnlyAsync(system)).ShouldBe(0);
        var made = await Service(o => o.PrivateOnly = true).EnforcePrivateOnlyAsync(system);

        made.ShouldBe(1);
        await using var context = await db.Factory.CreateDbContextAsync();
        (await context.Collections.Where(c => !c.IsPrivate).CountAsync()).ShouldBe(0);
        var audit = await context.AuditEvents.SingleAsync(e => e.Action == "collection.private");
        (audit.Target, audit.CollectionId, audit.Detail, audit.UserName).ShouldBe(("alice/open", open.Id, "PrivateOnly", "system"));
        hidden.IsPrivate.ShouldBeTrue();
    }

    [Fact]
    public async Task A_token_that_cannot_write_is_named_as_the_reason()
    {
        var alice = await db.AddUserAsync("alice");
        var collections = Service(_ => { });
        var entity = await EntityIdAsync("alice");
        var tools = (await collections.CreateAsync(alice, entity, "tools", "")).Value!;
        var readToken = alice with { Scope = TokenScope.Read };
        var robot = alice with { Scope = TokenScope.Write, RestrictedToCollectionId = tools.Id };

        (await collections.CreateAsync(readToken, entity, "more", "")).Message
            .ShouldBe("this token is read-only (scope read) and cannot write to entity alice: create a token with write scope at /auth/tokens");
        (await collections.CreateAsync(robot, entity, "more", "")).Message
            .ShouldBe("this token is restricted to one collection and cannot write to entity alice: use a token without a collection restriction");
        (await collections.SetPrivateAsync(readToken, tools.Id, true)).Message
            .ShouldBe("this token is read-only (scope read) and cannot write to alice/tools: create a token with write scope at /auth/tokens");
        (await collections.SetPrivateAsync(readToken with { RestrictedToCollectionId = tools.Id }, tools.Id, true)).Message
            .ShouldBe("this token is read-only (scope read) and cannot write to alice/tools: create a token with write scope at /auth/tokens");
        // Someone else's entity: the token is not the reason, the user is.
        var bob = await db.AddUserAsync("bob");
        (await collections.CreateAsync(bob with { Scope = TokenScope.Read }, entity, "more", "")).Message.ShouldBe("bob may not create collections in entity alice");
        (await CollectionsOfAsync("alice")).ShouldBe(["tools"]);
    }
}
