using Bunit;
using Registry.Web.Components.Pages.Collections;
using Registry.Web.Components.Pages.Treemap;

namespace Registry.Tests.Components;

public sealed class CollectionPagesTests : RegistryTestContext
{
    [Fact]
    public async Task Signed_in_users_star_a_collection_and_everyone_gets_usage_snippets()
    {
        var alice = await Db.AddUserAsync("alice");
        var bob = await Db.AddUserAsync("bob");
        await CreateCollectionAsync(alice, "tools");
        await PushAsync(alice, "tools", "demo", "v1", SifBuilder.WithObjects());
        SignIn(bob);
        RenderProviders();

        var page = Render<CollectionPage>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, "tools"));

        page.WaitForAssertion(() => page.Find("td[data-label=Container]").TextContent.Trim().ShouldBe("demo"));
        page.Find("td[data-label=Tags]").TextContent.ShouldContain("v1 · arm64");
        // The container's real tag: it has no "latest", and a snippet naming one would fail with 404.
        page.Markup.ShouldContain("apptainer pull library://localhost/alice/tools/demo:v1");
        page.Markup.ShouldContain("singularity pull shub://localhost/tools/demo:v1");
        page.Markup.ShouldNotContain(":latest");
        page.Markup.ShouldContain("apptainer remote add --insecure registry http://localhost");
        page.Markup.ShouldContain("[![alice/tools](http://localhost/alice/tools/badge.svg)](http://localhost/alice/tools)");
        page.FindAll("a").Any(a => a.TextContent.Contains("Upload")).ShouldBeFalse();

        var star = page.Find("button[aria-label=Star]");
        star.TextContent.Trim().ShouldBe("0");
        star.Click();
        page.WaitForAssertion(() => page.Find("button[aria-label=Star]").TextContent.Trim().ShouldBe("1"));
    }

    [Fact]
    public async Task The_collections_grid_hides_private_collections_from_visitors()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await CreateCollectionAsync(alice, "secret", isPrivate: true);
        RenderProviders();

        var page = Render<CollectionsPage>();

        page.WaitForAssertion(() => page.FindAll("td a").Select(a => a.TextContent).ShouldBe(["alice/tools"]));
    }

    [Fact]
    public async Task Owners_see_their_private_collections_in_the_grid()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await CreateCollectionAsync(alice, "secret", isPrivate: true);
        SignIn(alice);
        RenderProviders();

        var page = Render<CollectionsPage>();

        page.WaitForAssertion(() => page.FindAll("td a").Select(a => a.TextContent).Order().ShouldBe(["alice/secret", "alice/tools"]));
    }

    [Fact]
    public async Task The_treemap_zooms_from_collections_into_containers()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await CreateCollectionAsync(alice, "other");
        await PushAsync(alice, "tools", "one", "v1", SifBuilder.WithObjects(deffile: new string('x', 5000)));
        await PushAsync(alice, "tools", "two", "v1", SifBuilder.WithObjects());
        await PushAsync(alice, "other", "three", "v1", SifBuilder.WithObjects());
        RenderProviders();

        var page = Render<TreemapPage>();

        page.WaitForAssertion(() => page.FindAll("svg.treemap title").Select(t => t.TextContent.Split(':')[0]).ShouldBe(["alice/tools", "alice/other"]));
        page.FindAll("svg.treemap g")[0].Click();
        page.WaitForAssertion(() => page.FindAll("svg.treemap title").Select(t => t.TextContent.Split(':')[0]).ShouldBe(["alice/tools/one", "alice/tools/two"]));
    }
}
