using Bunit;
using Registry.Web.Components.Pages.Home;
using Registry.Web.Components.Pages.Treemap;
using Registry.Web.Components.Shared;

namespace Registry.Tests.Components;

/// <summary>Issue 12 should-fix: the home page's and the treemap's "Stored" count identical files once, and shows the images' total beside it.</summary>
public sealed class HomeStatsTests : RegistryTestContext
{
    [Fact]
    public async Task The_same_file_pushed_twice_is_stored_once_and_counted_twice_only_in_the_logical_size()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await CreateCollectionAsync(alice, "secret", isPrivate: true);
        var sif = SifBuilder.WithObjects();
        var other = SifBuilder.WithObjects("amd64");
        await PushAsync(alice, "tools", "one", "v1", sif);
        await PushAsync(alice, "tools", "two", "v1", sif);
        await PushAsync(alice, "secret", "three", "v1", other); // private: counted for no visitor
        RenderProviders();

        var page = Render<Home>();

        page.WaitForAssertion(() => page.Find("[data-testid=logical-size]").TextContent
            .ShouldBe($"{Format.Bytes(2L * sif.Length)} in images, identical files stored once"));
        var stored = page.FindAll(".mud-paper").Single(p => p.TextContent.Contains("Stored"));
        stored.QuerySelector("h4")!.TextContent.ShouldBe(Format.Bytes(sif.Length));
    }

    [Fact]
    public async Task The_treemap_shows_stored_bytes_once_beside_the_images_bytes_and_leaves_private_ones_out()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await CreateCollectionAsync(alice, "more");
        await CreateCollectionAsync(alice, "secret", isPrivate: true);
        var sif = SifBuilder.WithObjects();
        await PushAsync(alice, "tools", "one", "v1", sif);
        await PushAsync(alice, "tools", "two", "v1", sif);
        await PushAsync(alice, "more", "three", "v1", sif); // the same file in another collection: still stored once
        await PushAsync(alice, "secret", "four", "v1", SifBuilder.WithObjects("amd64"));
        RenderProviders();

        var page = Render<TreemapPage>();

        page.WaitForAssertion(() => page.Find("[data-testid=treemap-summary]").TextContent
            .ShouldBe($"{Format.Bytes(sif.Length)} stored, {Format.Bytes(3L * sif.Length)} in images"));
    }
}
