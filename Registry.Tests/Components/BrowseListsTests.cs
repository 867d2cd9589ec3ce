using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Teams;
using Registry.Web.Components.Pages.CollectionSettings;
using Registry.Web.Components.Pages.Home;
using Registry.Web.Components.Pages.Search;

namespace Registry.Tests.Components;

/// <summary>Result lists on home and search are real links, and search finds collections by their entity's name.</summary>
public sealed class BrowseListsTests : RegistryTestContext
{
    [Fact]
    public async Task Recently_updated_containers_on_home_are_links()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await PushAsync(alice, "tools", "demo", "v1", SifBuilder.WithObjects());
        RenderProviders();

        var page = Render<Home>();

        page.WaitForAssertion(() => page.Find("[data-testid=recent] a").GetAttribute("href").ShouldBe("alice/tools/demo"));
        page.Find("[data-testid=recent]").TextContent.ShouldContain("v1");
    }

    [Fact]
    public async Task Searching_an_entity_name_lists_its_visible_collections_and_containers_as_links()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await CreateCollectionAsync(alice, "secret", isPrivate: true);
        await PushAsync(alice, "tools", "demo", "v1", SifBuilder.WithObjects());
        RenderProviders();

        var nav = Services.GetRequiredService<NavigationManager>();
        nav.NavigateTo("search?q=alice");
        var page = Render<SearchPage>();

        page.WaitForAssertion(() => page.FindAll("[data-testid=found-collections] a").Select(a => a.GetAttribute("href")).ShouldBe(["alice/tools"]));
        page.FindAll("[data-testid=found-containers] a").Select(a => a.GetAttribute("href")).ShouldBe(["alice/tools/demo"]);
        page.Markup.ShouldNotContain("secret");

        nav.NavigateTo("search?q=" + Uri.EscapeDataString("alice/tools/de"));
        var byPath = Render<SearchPage>();
        byPath.WaitForAssertion(() => byPath.FindAll("[data-testid=found-containers] a").Select(a => a.GetAttribute("href")).ShouldBe(["alice/tools/demo"]));
    }

    [Fact]
    public async Task Search_finds_containers_by_the_labels_inside_their_SIF_files_but_not_private_ones()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await CreateCollectionAsync(alice, "secret", isPrivate: true);
        await PushAsync(alice, "tools", "demo", "v1", SifBuilder.WithObjects("amd64", null, "{\"org.lab.pipeline\":\"rnaseq-2\"}"));
        await PushAsync(alice, "secret", "hidden", "v1", SifBuilder.WithObjects("amd64", null, "{\"org.lab.pipeline\":\"rnaseq-private\"}"));
        RenderProviders();

        Services.GetRequiredService<NavigationManager>().NavigateTo("search?q=rnaseq");
        var page = Render<SearchPage>();

        page.WaitForAssertion(() => page.FindAll("[data-testid=found-labels] a").Select(a => a.GetAttribute("href")).ShouldBe(["alice/tools/demo"]));
        page.Find("[data-testid=found-labels]").TextContent.ShouldContain("org.lab.pipeline: rnaseq-2");
        page.Markup.ShouldNotContain("rnaseq-private");
    }

    [Fact]
    public async Task A_search_shown_before_a_collection_was_made_private_is_not_shown_again_after()
    {
        var alice = await Db.AddUserAsync("alice");
        var tools = await CreateCollectionAsync(alice, "tools");
        await PushAsync(alice, "tools", "demo", "v1", SifBuilder.WithObjects("amd64", null, "{\"org.lab.pipeline\":\"rnaseq-2\"}"));
        RenderProviders();
        var nav = Services.GetRequiredService<NavigationManager>();

        nav.NavigateTo("search?q=demo");
        var before = Render<SearchPage>();
        before.WaitForAssertion(() => before.FindAll("[data-testid=found-containers] a").Count.ShouldBe(1));
        (await Services.GetRequiredService<Registry.Core.Collections.CollectionService>().SetPrivateAsync(alice, tools, true)).Succeeded.ShouldBeTrue();

        foreach (var q in new[] { "demo", "DEMO ", "rnaseq" })
        {
            nav.NavigateTo("search?q=" + Uri.EscapeDataString(q));
            var after = Render<SearchPage>();
            after.WaitForAssertion(() => after.Markup.ShouldContain("Nothing matches"), TimeSpan.FromSeconds(10));
            after.FindAll("a[href='alice/tools/demo']").ShouldBeEmpty(q);
        }
    }

    [Fact]
    public async Task Nobody_is_added_to_a_collection_unasked_not_even_a_teammate()
    {
        var alice = await Db.AddUserAsync("alice");
        var bob = await Db.AddUserAsync("bob");
        var collectionId = await CreateCollectionAsync(alice, "tools");
        (await Services.GetRequiredService<TeamService>().CreateAsync(alice, "lab", "", isOpen: false)).Succeeded.ShouldBeTrue();
        await Services.GetRequiredService<Registry.Core.Invitations.MemberInviteService>().JoinTeamAsync(alice, "lab", bob);
        var members = Services.GetRequiredService<Registry.Core.Collections.CollectionMembersService>();

        var direct = await members.SetRoleAsync(alice, collectionId, bob.UserId!, Registry.Core.Collections.CollectionRole.Contributor);
        SignIn(alice);
        RenderProviders();
        var page = Render<CollectionSettings>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, "tools"));

        direct.Message.ShouldBe("not a member of this collection: invite them by name, and they join when they accept");
        (await members.FindManagedAsync(alice, "alice", "tools")).Value!.Members.ShouldBeEmpty();
        page.WaitForAssertion(() => page.Markup.ShouldContain("Add anyone by user name"));
        page.Markup.ShouldNotContain("Add a member of your teams");
        page.FindAll("[data-testid=member-picker]").ShouldBeEmpty();
    }
}
