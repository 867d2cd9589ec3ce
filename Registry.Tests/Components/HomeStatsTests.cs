using Bunit;
using Registry.Web.Components.Pages.Home;
using Registry.Web.Components.Shared;

namespace Registry.Tests.Components;

/// <summary>Issue 12 should-fix: the home page's "Stored" counts identical files once, and shows the images' total beside it.</summary>
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
}
