using Bunit;
using Registry.Web.Components.Pages.Collections;

namespace Registry.Tests.Components;

/// <summary>Issue 12 must-fix 5 and 7: a collection's pull snippets name only refs that resolve, and say why shub:// can't.</summary>
public sealed class UsageSnippetsTests : RegistryTestContext
{
    private IRenderedComponent<CollectionPage> RenderPage(string entity, string collection) =>
        Render<CollectionPage>(p => p.Add(x => x.Entity, entity).Add(x => x.Collection, collection));

    [Fact]
    public async Task A_container_with_latest_is_shown_with_latest_and_an_empty_collection_offers_no_pull()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await CreateCollectionAsync(alice, "empty");
        await PushAsync(alice, "tools", "demo", "latest", SifBuilder.WithObjects());
        await PushAsync(alice, "tools", "demo", "v9", SifBuilder.WithObjects("amd64"));
        RenderProviders();

        var page = RenderPage("alice", "tools");
        page.WaitForAssertion(() => page.Markup.ShouldContain("apptainer pull library://localhost/alice/tools/demo:latest"));
        page.Markup.ShouldContain("singularity pull shub://localhost/tools/demo:latest");

        var empty = RenderPage("alice", "empty");
        empty.WaitForAssertion(() => empty.Find("[data-testid=no-pull]").TextContent.ShouldBe("Nothing to pull yet: push an image first."));
        empty.Markup.ShouldNotContain("apptainer pull");
        empty.Markup.ShouldNotContain("shub://");
        empty.Markup.ShouldContain("apptainer push image.sif library://localhost/alice/empty/container:1.0");
    }

    [Fact]
    public async Task A_collection_name_two_owners_share_gets_no_shub_snippet_but_the_reason()
    {
        var alice = await Db.AddUserAsync("alice");
        var bob = await Db.AddUserAsync("bob");
        await CreateCollectionAsync(alice, "tools");
        await PushAsync(alice, "tools", "demo", "v1", SifBuilder.WithObjects());
        RenderProviders();
        var before = RenderPage("alice", "tools");
        before.WaitForAssertion(() => before.Markup.ShouldContain("singularity pull shub://localhost/tools/demo:v1"));

        await CreateCollectionAsync(bob, "tools");
        var page = RenderPage("alice", "tools");
        page.WaitForAssertion(() => page.Find("[data-testid=no-shub]").TextContent.ShouldBe(
            "shub:// can't reach this collection: alice, bob each have a public collection named tools, and shub:// names no owner. Use library:// instead."));
        page.Markup.ShouldNotContain("shub://localhost");
        page.Markup.ShouldContain("apptainer pull library://localhost/alice/tools/demo:v1");
    }

    [Fact]
    public async Task A_private_collection_says_shub_sends_no_token()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "secret", isPrivate: true);
        await PushAsync(alice, "secret", "demo", "v1", SifBuilder.WithObjects());
        SignIn(alice);
        RenderProviders();

        var page = RenderPage("alice", "secret");
        page.WaitForAssertion(() => page.Find("[data-testid=no-shub]").TextContent.ShouldContain("it sends no token, and this collection is private."));
        page.Markup.ShouldNotContain("shub://localhost");
    }
}
