using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Audit;
using Registry.Core.Collections;
using Registry.Web.Components.Pages.Admin;
using Registry.Web.Components.Pages.CollectionSettings;

namespace Registry.Tests.Components;

/// <summary>Owners see their collection's audit events and nothing else; admins see everything.</summary>
public sealed class AuditViewTests : RegistryTestContext
{
    [Fact]
    public async Task An_owner_sees_only_the_events_of_their_collection()
    {
        var (alice, bob) = (await Db.AddUserAsync("alice"), await Db.AddUserAsync("bob"));
        var tools = await CreateAsync(alice, "tools");
        await CreateAsync(alice, "other");
        await CreateAsync(bob, "stuff");
        (await Services.GetRequiredService<CollectionService>().SetPrivateAsync(alice, tools.Id, true)).Succeeded.ShouldBeTrue();
        await using (var db = await Db.Factory.CreateDbContextAsync())
        {
            AuditLog.Record(db, alice with { Address = "10.0.0.1" }, "signin", "alice", detail: "password");
            await db.SaveChangesAsync();
        }
        var managed = (await Services.GetRequiredService<CollectionMembersService>().FindManagedAsync(alice, "alice", "tools")).Value!;
        SignIn(alice);
        RenderProviders();

        var view = Render<CollectionAudit>(p => p.Add(x => x.Collection, managed).Add(x => x.Actor, alice));

        view.WaitForAssertion(() => view.FindAll("td[data-label=Action]").Select(td => td.TextContent.Trim()).ShouldBe(["collection.private", "collection.create"]));
        view.FindAll("td[data-label=Target]").Select(td => td.TextContent.Trim()).ShouldBe(["alice/tools", "alice/tools"]);
        view.FindAll("td[data-label=Who]").Select(td => td.TextContent.Trim()).ShouldBe(["alice", "alice"]);
        view.Markup.ShouldNotContain("bob/stuff");
        view.Markup.ShouldNotContain("alice/other");
        view.Markup.ShouldNotContain("signin");
    }

    [Fact]
    public async Task Someone_who_does_not_manage_the_collection_sees_no_events()
    {
        var (alice, bob) = (await Db.AddUserAsync("alice"), await Db.AddUserAsync("bob"));
        var tools = await CreateAsync(alice, "tools");
        SignIn(bob);
        RenderProviders();

        var view = Render<CollectionAudit>(p => p.Add(x => x.Collection, tools).Add(x => x.Actor, bob));

        view.WaitForAssertion(() => view.Markup.ShouldContain("only owners see a collection"));
        view.FindAll("td[data-label=Action]").ShouldBeEmpty();
    }

    [Fact]
    public async Task An_admin_sees_every_event_newest_first()
    {
        var (root, alice) = (await Db.AddUserAsync("root", isAdmin: true), await Db.AddUserAsync("alice"));
        await CreateAsync(alice, "tools");
        await using (var db = await Db.Factory.CreateDbContextAsync())
        {
            AuditLog.Record(db, alice with { Address = "10.0.0.1" }, "signin", "alice", detail: "password");
            await db.SaveChangesAsync();
        }
        SignIn(root);
        RenderProviders();

        var view = Render<AdminAudit>(p => p.Add(x => x.Actor, root));

        view.WaitForAssertion(() => view.FindAll("td[data-label=Action]").Select(td => td.TextContent.Trim()).ShouldBe(["signin", "collection.create"]));
        view.Find("td[data-label=Address]").TextContent.ShouldBe("10.0.0.1");
    }

    [Fact]
    public async Task Member_events_name_the_user_not_their_id_old_ones_included_and_long_details_wrap()
    {
        var (root, alice, bob) = (await Db.AddUserAsync("root", isAdmin: true), await Db.AddUserAsync("alice"), await Db.AddUserAsync("bob"));
        var teams = Services.GetRequiredService<Registry.Core.Teams.TeamService>();
        (await teams.CreateAsync(alice, "lab", "", isOpen: false)).Succeeded.ShouldBeTrue();
        await Services.GetRequiredService<Registry.Core.Invitations.MemberInviteService>().JoinTeamAsync(alice, "lab", bob);
        (await teams.SetRoleAsync(alice, "lab", bob.UserId!, Registry.Core.Teams.TeamRole.Owner)).Succeeded.ShouldBeTrue();
        (await teams.RemoveMemberAsync(alice, "lab", bob.UserId!)).Succeeded.ShouldBeTrue();
        await using (var db = await Db.Factory.CreateDbContextAsync())
        {
            // As recorded before: the user's id after the colon, and a detail long enough to need wrapping.
            AuditLog.Record(db, alice, "collection.member.set", $"alice/tools:{bob.UserId}", detail: new string('x', 300));
            await db.SaveChangesAsync();
        }
        SignIn(root);
        RenderProviders();

        var view = Render<AdminAudit>(p => p.Add(x => x.Actor, root));

        view.WaitForAssertion(() => view.FindAll("td[data-label=Target]").Select(td => td.TextContent.Trim()).ShouldBe(
            ["alice/tools:bob", "lab:bob", "lab:bob", "lab", "lab:bob", "lab"]));
        view.Markup.ShouldNotContain(bob.UserId!);
        view.Find("td[data-label=Detail]").GetAttribute("style").ShouldNotBeNull().ShouldContain("overflow-wrap:anywhere");
    }

    private async Task<Collection> CreateAsync(Registry.Core.Access.Actor owner, string name)
    {
        await using var db = await Db.Factory.CreateDbContextAsync();
        var entityId = db.Entities.Single(e => e.Name == owner.UserName).Id;
        var created = await Services.GetRequiredService<CollectionService>().CreateAsync(owner, entityId, name, "");
        created.Succeeded.ShouldBeTrue(created.Message);
        return created.Value!;
    }
}
