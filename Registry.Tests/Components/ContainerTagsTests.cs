using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Images;
using Registry.Web.Components.Pages.Containers;

namespace Registry.Tests.Components;

/// <summary>Issue 12 must-fix 5: the pull snippet names a tag the container has, and owners tag images on the container page.</summary>
public sealed class ContainerTagsTests : RegistryTestContext
{
    private IRenderedComponent<ContainerPage> RenderPage() =>
        Render<ContainerPage>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, "tools").Add(x => x.Container, "demo"));

    private async Task<Registry.Core.Access.Actor> SeedAsync()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await PushAsync(alice, "tools", "demo", "v1", SifBuilder.WithObjects("amd64", "Bootstrap: docker\nFrom: alpine:3.19\n"));
        await PushAsync(alice, "tools", "demo", "v2", SifBuilder.WithObjects("amd64", "Bootstrap: docker\nFrom: alpine:3.20\n"));
        return alice;
    }

    private static string[] Tags(IRenderedComponent<ContainerPage> page) =>
        page.FindAll("tbody tr").Select(r => r.QuerySelector("[data-label=Tag]")!.TextContent.Trim()).ToArray();

    private static void Select(IRenderedComponent<ContainerPage> page, string tag) =>
        page.FindAll("tbody tr").Single(r => r.QuerySelector("[data-label=Tag]")!.TextContent.Trim().StartsWith(tag)).Click();

    private static void AddTag(IRenderedComponent<ContainerPage> page, string tag)
    {
        page.Find("[data-testid=image-tags] input").Input(tag);
        page.Find("[data-testid=image-tags] form").Submit();
    }

    [Fact]
    public async Task An_owner_adds_a_tag_by_pressing_Enter_and_the_pull_snippet_names_it()
    {
        var alice = await SeedAsync();
        SignIn(alice);
        RenderProviders();
        var page = RenderPage();
        page.WaitForAssertion(() => Tags(page).ShouldBe(["v2", "v1"]));
        page.Markup.ShouldContain("apptainer pull library://localhost/alice/tools/demo:v2");
        page.Markup.ShouldNotContain(":latest");

        AddTag(page, "latest");

        page.WaitForAssertion(() => Tags(page).ShouldBe(["latest", "v2", "v1"]));
        page.Find("[data-testid=image-tags]").TextContent.ShouldContain("latest");
        (await Services.GetRequiredService<ImageService>().ResolveAsync(alice,
            ImageRef.Parse("alice/tools/demo:latest", Db.RegistryOptions.Value).Value!, null, requireUploaded: true))
            .Value!.Tags.Select(t => t.Name).Order().ShouldBe(["latest", "v2"]);
    }

    [Fact]
    public async Task Moving_a_tag_to_another_image_asks_first_and_Cancel_leaves_it()
    {
        SignIn(await SeedAsync());
        var dialogs = RenderProviders();
        var page = RenderPage();
        page.WaitForAssertion(() => Tags(page).ShouldBe(["v2", "v1"]));
        Select(page, "v1");
        page.WaitForAssertion(() => page.Markup.ShouldContain("apptainer pull library://localhost/alice/tools/demo:v1"));

        AddTag(page, "v2");
        Answer(dialogs, "is on another image now", "Cancel");
        Tags(page).ShouldBe(["v2", "v1"]);

        AddTag(page, "v2");
        Answer(dialogs, "is on another image now", "Move");
        // Both tags now name the first image, which had only v1; the second image is left untagged, pulled by its hash.
        page.WaitForAssertion(() => Tags(page).ShouldBe(["v2", "v1", "(untagged)"]));
        var rows = page.FindAll("tbody tr");
        rows[0].QuerySelector("[data-label=sha256]")!.TextContent.ShouldBe(rows[1].QuerySelector("[data-label=sha256]")!.TextContent);
        Select(page, "(untagged)");
        page.WaitForAssertion(() => page.Markup.ShouldContain("apptainer pull library://localhost/alice/tools/demo:sha256."));
        page.Find("[data-testid=image-tags]").TextContent.ShouldContain("none: this image is pulled by its hash");
    }

    [Fact]
    public async Task Removing_a_tag_asks_first_and_keeps_the_image()
    {
        SignIn(await SeedAsync());
        var dialogs = RenderProviders();
        var page = RenderPage();
        page.WaitForAssertion(() => Tags(page).ShouldBe(["v2", "v1"]));

        page.Find("button[aria-label='Remove tag v2']").Click();
        Answer(dialogs, "Remove the tag v2 (amd64)?", "Remove");

        page.WaitForAssertion(() => Tags(page).ShouldBe(["v1", "(untagged)"]));
        page.FindAll("tbody tr").Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_frozen_tag_can_be_neither_removed_nor_moved()
    {
        SignIn(await SeedAsync());
        var dialogs = RenderProviders();
        var page = RenderPage();
        page.WaitForAssertion(() => Tags(page).ShouldBe(["v2", "v1"]));
        page.Find("button[aria-label=Freeze]").Click();   // the first row: v2
        page.WaitForAssertion(() => page.Find("tbody tr").TextContent.ShouldContain("frozen"));

        page.FindAll("button[aria-label='Remove tag v2']").ShouldBeEmpty();
        Select(page, "v1");
        page.WaitForAssertion(() => page.Find("[data-testid=image-tags]").TextContent.ShouldContain("Tags on sha256."));
        AddTag(page, "v2");
        page.WaitForAssertion(() => page.Find("[data-testid=image-tags] .mud-alert").TextContent.ShouldContain("is frozen and cannot be overwritten"));
        dialogs.Markup.ShouldNotContain("Move tag");
        Tags(page).ShouldBe(["v2frozen", "v1"]);
    }

    [Fact]
    public async Task Signed_in_strangers_get_no_tag_editor()
    {
        await SeedAsync();
        SignIn(await Db.AddUserAsync("bob"));
        RenderProviders();
        var page = RenderPage();
        page.WaitForAssertion(() => Tags(page).ShouldBe(["v2", "v1"]));
        page.FindAll("[data-testid=image-tags]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Every_icon_button_has_a_name_and_a_tooltip_and_freezing_shows_a_snowflake_not_the_private_padlock()
    {
        SignIn(await SeedAsync());
        RenderProviders();
        var page = RenderPage();
        page.WaitForAssertion(() => Tags(page).ShouldBe(["v2", "v1"]));

        var buttons = page.FindAll(".mud-icon-button");
        buttons.Count.ShouldBeGreaterThan(6);
        buttons.ShouldAllBe(b => !string.IsNullOrWhiteSpace(b.GetAttribute("aria-label")) && !string.IsNullOrWhiteSpace(b.GetAttribute("title")));
        var freeze = page.Find("button[aria-label=Freeze]");
        freeze.GetAttribute("title").ShouldBe("Freeze: the tag can no longer move and its image not be deleted");
        var snowflake = Render<MudBlazor.MudIcon>(p => p.Add(x => x.Icon, MudBlazor.Icons.Material.Filled.AcUnit)).Find("svg").InnerHtml;
        var padlock = Render<MudBlazor.MudIcon>(p => p.Add(x => x.Icon, MudBlazor.Icons.Material.Filled.Lock)).Find("svg").InnerHtml;
        freeze.QuerySelector("svg")!.InnerHtml.ShouldBe(snowflake);
        freeze.QuerySelector("svg")!.InnerHtml.ShouldNotBe(padlock);
    }
}
