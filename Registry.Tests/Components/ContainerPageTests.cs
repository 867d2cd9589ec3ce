using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core;
using Registry.Core.Containers;
using Registry.Web.Components.Pages.Collections;
using Registry.Web.Components.Pages.Containers;

namespace Registry.Tests.Components;

public sealed class ContainerPageTests : RegistryTestContext
{
    private const string Def = "Bootstrap: docker\nFrom: alpine\n%runscript\n  echo hi\n";

    private IRenderedComponent<ContainerPage> RenderPage() =>
        Render<ContainerPage>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, "tools").Add(x => x.Container, "demo"));

    private async Task<Registry.Core.Access.Actor> SeedAsync()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await PushAsync(alice, "tools", "demo", "v1", SifBuilder.WithObjects("arm64", Def, "{\"maintainer\":\"alice\"}"));
        return alice;
    }

    [Fact]
    public async Task Visitors_see_each_tag_with_its_image_and_what_the_SIF_carries_but_no_owner_actions()
    {
        await SeedAsync();
        RenderProviders();
        var page = RenderPage();

        page.WaitForAssertion(() => page.Find("tbody tr").TextContent.ShouldContain("v1"));
        var row = page.Find("tbody tr");
        row.QuerySelector("[data-label=Arch]")!.TextContent.Trim().ShouldBe("arm64");
        row.QuerySelector("[data-label=Description]")!.TextContent.Trim().ShouldBe("test image");
        row.QuerySelector("[data-label=Pushed]")!.TextContent.ShouldStartWith("alice,");
        row.QuerySelector("a[aria-label=Download]")!.GetAttribute("href").ShouldStartWith("download/");
        page.FindAll("button[aria-label=Delete]").ShouldBeEmpty();
        page.FindAll("button[aria-label=Freeze]").ShouldBeEmpty();
        page.Markup.ShouldContain("apptainer pull library://localhost/alice/tools/demo:v1");
        page.Markup.ShouldContain("apptainer pull oras://localhost/alice/tools/demo:v1");
        var served = await Services.GetRequiredService<Registry.Core.Oci.OciManifests>()
            .GetAsync(Registry.Core.Access.Actor.Anonymous, new("alice", "tools", "demo"), "v1");
        row.QuerySelector("[data-label=Manifest] [data-digest]")!.GetAttribute("data-digest").ShouldBe("sha256:" + served.Value!.Digest.Hex);
        page.WaitForAssertion(() => page.Find("pre.registry-pre").TextContent.ShouldBe(Def));
        page.WaitForAssertion(() => page.Markup.ShouldContain("not signed")); // the signature verdicts load after the page
    }

    [Fact]
    public async Task Owners_freeze_a_tag_and_then_cannot_delete_it()
    {
        SignIn(await SeedAsync());
        RenderProviders();
        var page = RenderPage();

        page.WaitForAssertion(() => page.Find("button[aria-label=Freeze]"));
        page.Find("button[aria-label=Freeze]").Click();

        page.WaitForAssertion(() => page.Find("tbody tr").TextContent.ShouldContain("frozen"));
        page.Find("button[aria-label=Unfreeze]").ShouldNotBeNull();
        page.Find("button[aria-label=Delete]").HasAttribute("disabled").ShouldBeTrue();
    }

    [Fact]
    public async Task Owners_delete_an_image_after_confirming()
    {
        SignIn(await SeedAsync());
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        Render<MudBlazor.MudPopoverProvider>();
        Render<MudBlazor.MudSnackbarProvider>();
        var page = RenderPage();

        page.WaitForAssertion(() => page.Find("button[aria-label=Delete]"));
        page.Find("button[aria-label=Delete]").Click();
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain("Delete alice/tools/demo:v1 (arm64)?"));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();

        // The last image took the container with it: back to the collection, where it is no longer listed.
        var nav = Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => nav.Uri.ShouldBe("http://localhost/alice/tools"));
        var alice = await Db.AddUserAsync("carol");
        (await Services.GetRequiredService<ContainerService>().FindAsync(alice, "alice", "tools", "demo")).Outcome.ShouldBe(Outcome.NotFound);
        var collection = Render<CollectionPage>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, "tools"));
        collection.WaitForAssertion(() => collection.Markup.ShouldContain("No containers yet."));
    }

    [Fact]
    public async Task Deleting_one_of_two_images_keeps_the_container_and_the_other_tag()
    {
        var alice = await SeedAsync();
        await PushAsync(alice, "tools", "demo", "v2", SifBuilder.WithObjects("amd64", Def, "{}"));
        SignIn(alice);
        var dialogs = RenderProviders();
        var page = RenderPage();

        page.WaitForAssertion(() => page.FindAll("tbody tr").Count.ShouldBe(2));
        page.FindAll("tbody tr").Single(r => r.TextContent.Contains("v1")).QuerySelector("button[aria-label=Delete]")!.Click();
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain("Delete alice/tools/demo:v1 (arm64)?"));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();

        page.WaitForAssertion(() => page.FindAll("tbody tr").Select(r => r.QuerySelector("[data-label=Tag]")!.TextContent.Trim()).ShouldBe(["v2"]));
        Services.GetRequiredService<NavigationManager>().Uri.ShouldBe("http://localhost/");
        page.Markup.ShouldContain("0 downloads");
    }

    [Fact]
    public async Task A_tag_on_two_architectures_pulls_the_one_v2_does_not_serve_for_it_by_manifest_digest()
    {
        var alice = await SeedAsync();
        await PushAsync(alice, "tools", "demo", "v1", SifBuilder.WithObjects("amd64", Def, "{}")); // v1 now resolves to amd64 on /v2/
        RenderProviders();
        var page = RenderPage();

        page.WaitForAssertion(() => page.FindAll("tbody tr").Count.ShouldBe(2));
        page.Markup.ShouldContain("apptainer pull oras://localhost/alice/tools/demo:v1");
        var older = page.FindAll("tbody tr").Single(r => r.TextContent.Contains("arm64"));
        var digest = older.QuerySelector("[data-digest]")!.GetAttribute("data-digest")!;
        older.Click();
        page.WaitForAssertion(() => page.Markup.ShouldContain($"apptainer pull oras://localhost/alice/tools/demo@{digest}"));
        var byDigest = await Services.GetRequiredService<Registry.Core.Oci.OciManifests>()
            .GetAsync(Registry.Core.Access.Actor.Anonymous, new("alice", "tools", "demo"), digest);
        byDigest.Value!.Digest.Hex.ShouldBe(digest["sha256:".Length..]);
    }

    [Fact]
    public async Task The_labels_tab_shows_the_labels_stored_for_the_image()
    {
        await SeedAsync();
        // Changed in the database only: the tab shows the stored labels, not the ones in the SIF header.
        await using (var db = await Db.Factory.CreateDbContextAsync())
            await db.ImageLabels.Where(l => l.Key == "maintainer").ExecuteUpdateAsync(u => u.SetProperty(l => l.Value, "alice (stored)"));
        RenderProviders();
        var page = RenderPage();

        page.WaitForAssertion(() => page.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Labels (1)").Click());
        page.WaitForAssertion(() => page.FindAll("td.mono").Select(td => td.TextContent).ShouldBe(["maintainer", "alice (stored)"]));
    }

    [Fact]
    public async Task A_stored_blob_with_a_damaged_SIF_header_shows_a_message_instead_of_breaking_the_page()
    {
        await SeedAsync();
        // As a blob stored before headers were checked at publish: its first descriptor now points past any file.
        await using (var db = await Db.Factory.CreateDbContextAsync())
        {
            var hash = await db.Images.Select(i => i.Hash).SingleAsync();
            var path = Services.GetRequiredService<Registry.Core.Storage.IBlobStore>().PathOf(new Registry.Core.Storage.Digest(hash));
            var bytes = await File.ReadAllBytesAsync(path);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(128 + 17), long.MaxValue - 10);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // blobs are stored read-only
            await File.WriteAllBytesAsync(path, bytes);
        }
        RenderProviders();
        var page = RenderPage();

        page.WaitForAssertion(() => page.Markup.ShouldContain("The SIF header is damaged"));
        page.Find("tbody tr").TextContent.ShouldContain("v1");
    }
}
