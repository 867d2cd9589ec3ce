using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Oci;
using Registry.Tests.Core;
using Registry.Web.Components.Pages.Containers;

namespace Registry.Tests.Components;

/// <summary>
/// Issue 18: the container page shows a page of rows at a time; on the second page everything the page does for a tag
/// still works: pull commands on both protocols, the manifest digest, freeze, delete, the tag editor.
/// (<see cref="TallContainer"/>: t{k/2} on amd64 for even k, arm64 for odd; 60 tags, so page 2 holds k = 9 … 0.)
/// </summary>
public sealed class ContainerTagPagesTests : RegistryTestContext
{
    private async Task<IRenderedComponent<ContainerPage>> SecondPageAsync(bool signedIn)
    {
        var alice = await Db.AddUserAsync("alice");
        await TallContainer.AddAsync(Db, alice, tags: 60, untagged: 0);
        if (signedIn) SignIn(alice);
        Services.GetRequiredService<NavigationManager>().NavigateTo("alice/deep/tall?page=2"); // where page 1's Next goes
        var page = Render<ContainerPage>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, "deep").Add(x => x.Container, "tall"));
        page.WaitForAssertion(() => Rows(page).Count.ShouldBe(10));
        return page;
    }

    private static List<string> Rows(IRenderedComponent<ContainerPage> page) =>
        page.FindAll("tbody tr").Select(r => r.QuerySelector("[data-label=Tag]")!.TextContent.Trim() + " " + r.QuerySelector("[data-label=Arch]")!.TextContent.Trim()).ToList();

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<ContainerPage> page, string tag, string arch) =>
        page.FindAll("tbody tr").Single(r => r.QuerySelector("[data-label=Tag] b")!.TextContent.Trim() == tag && r.QuerySelector("[data-label=Arch]")!.TextContent.Trim() == arch);

    [Fact]
    public async Task A_second_page_row_pulls_by_tag_or_by_the_digest_v2_serves_for_it()
    {
        RenderProviders();
        var page = await SecondPageAsync(signedIn: false);

        Rows(page).ShouldBe(Enumerable.Range(0, 10).Reverse().Select(k => $"t{k / 2} {TallContainer.Arch(k)}"));
        page.Markup.ShouldContain("apptainer pull library://localhost/alice/deep/tall:t4"); // the first row is selected
        page.Markup.ShouldContain("apptainer pull oras://localhost/alice/deep/tall:t4");    // t4's newest row

        var older = Row(page, "t4", "amd64");
        var digest = older.QuerySelector("[data-digest]")!.GetAttribute("data-digest")!;
        older.Click();
        page.WaitForAssertion(() => page.Markup.ShouldContain($"apptainer pull oras://localhost/alice/deep/tall@{digest}"));
        page.Markup.ShouldContain("apptainer pull library://localhost/alice/deep/tall:t4");
        var served = await Services.GetRequiredService<OciManifests>().GetAsync(Registry.Core.Access.Actor.Anonymous, new("alice", "deep", "tall"), digest);
        served.Value!.Digest.Oci().ShouldBe(digest);
        page.FindAll("button[aria-label=Freeze]").ShouldBeEmpty();
    }

    [Fact]
    public async Task An_owner_freezes_and_deletes_tags_on_the_second_page_and_stays_there()
    {
        var dialogs = RenderProviders();
        var page = await SecondPageAsync(signedIn: true);

        Row(page, "t3", "amd64").QuerySelector("button[aria-label=Freeze]")!.Click();
        page.WaitForAssertion(() => Row(page, "t3", "amd64").TextContent.ShouldContain("frozen"));
        Row(page, "t3", "amd64").QuerySelector("button[aria-label=Delete]")!.HasAttribute("disabled").ShouldBeTrue();
        Rows(page).Count.ShouldBe(10); // freezing moves nothing

        Row(page, "t2", "amd64").QuerySelector("button[aria-label=Delete]")!.Click();
        Answer(dialogs, "Delete alice/deep/tall:t2 (amd64)?", "Delete");
        page.WaitForAssertion(() => Rows(page).ShouldBe(["t4 arm64", "t4 amd64", "t3 arm64", "t3frozen amd64", "t2 arm64", "t1 arm64", "t1 amd64", "t0 arm64", "t0 amd64"]));
        page.Find("[data-tag-pages]").TextContent.ShouldContain("page 2 of 2 · 59 tag rows");
        await using var db = await Db.Factory.CreateDbContextAsync();
        (await db.Tags.SingleAsync(t => t.Name == "t3" && t.Arch == "amd64")).Frozen.ShouldBeTrue();
        (await db.Tags.AnyAsync(t => t.Name == "t2" && t.Arch == "amd64")).ShouldBeFalse();
        var deleted = TallContainer.Hex(4);
        (await db.Images.AnyAsync(i => i.Hash == deleted)).ShouldBeFalse();
    }

    [Fact]
    public async Task An_owner_tags_a_second_page_image_whose_new_tag_then_leads_page_one()
    {
        RenderProviders();
        var page = await SecondPageAsync(signedIn: true);
        Row(page, "t0", "amd64").Click();
        page.WaitForAssertion(() => page.Find("[data-testid=image-tags]").TextContent.ShouldContain($"Tags on sha256.{TallContainer.Hex(0)[..12]} (amd64)"));
        page.Find("[data-testid=image-tags]").TextContent.ShouldContain("t0");

        page.Find("[data-testid=image-tags] input").Input("extra");
        page.Find("[data-testid=image-tags] form").Submit();

        // The image keeps its row here (selected, with both tags in the editor); its new tag is the newest row of all.
        page.WaitForAssertion(() => page.Find("[data-testid=image-tags]").TextContent.ShouldContain("extra"));
        page.Find("[data-testid=image-tags]").TextContent.ShouldContain("t0");
        page.Find("tr.mud-selected-item [data-label=Tag]").TextContent.Trim().ShouldBe("t0");
        page.Find("[data-tag-pages]").TextContent.ShouldContain("61 tag rows");
        Services.GetRequiredService<NavigationManager>().NavigateTo("alice/deep/tall");
        var first = Render<ContainerPage>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, "deep").Add(x => x.Container, "tall"));
        first.WaitForAssertion(() => Rows(first)[0].ShouldBe("extra amd64"));
    }
}
