using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Web.Components.Pages.CollectionSettings;

namespace Registry.Tests.Components;

/// <summary>The danger zone: visibility toggle, and deletion only after typing the collection's full name.</summary>
public sealed class CollectionSettingsTests : RegistryTestContext
{
    private IRenderedComponent<CollectionSettings> RenderSettings() =>
        Render<CollectionSettings>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, "tools"));

    private static void OpenDangerZone(IRenderedComponent<CollectionSettings> page) =>
        page.WaitForAssertion(() => page.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Danger zone").Click());

    [Fact]
    public async Task Owners_make_a_collection_private_at_once_but_public_only_after_confirming()
    {
        var alice = await Db.AddUserAsync("alice");
        var id = await CreateCollectionAsync(alice, "tools");
        SignIn(alice);
        var dialogs = RenderProviders();
        var page = RenderSettings();
        OpenDangerZone(page);

        page.WaitForAssertion(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Make private").Click());
        page.WaitForAssertion(() => page.Markup.ShouldContain("This collection is <b>private</b>"));
        (await IsPrivateAsync(id)).ShouldBeTrue();

        dialogs.Markup.ShouldNotContain("public?"); // going private narrows who sees it: no question

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Make public").Click();
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain("Anyone, signed in or not"));
        Answer(dialogs, "Make alice/tools public?", "Cancel");
        page.Markup.ShouldContain("This collection is <b>private</b>");
        (await IsPrivateAsync(id)).ShouldBeTrue();

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Make public").Click();
        Answer(dialogs, "Make alice/tools public?", "Make public");
        page.WaitForAssertion(() => page.Markup.ShouldContain("This collection is <b>public</b>"));
        (await IsPrivateAsync(id)).ShouldBeFalse();
    }

    [Fact]
    public async Task Deleting_needs_the_typed_full_name_then_frees_the_bytes_and_leaves()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await PushAsync(alice, "tools", "demo", "v1", SifBuilder.WithObjects());
        SignIn(alice);
        RenderProviders();
        var page = RenderSettings();
        OpenDangerZone(page);

        IElement DeleteButton() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Delete collection");
        page.WaitForAssertion(() => DeleteButton().HasAttribute("disabled").ShouldBeTrue());
        page.Find("input").Input("tools");
        DeleteButton().HasAttribute("disabled").ShouldBeTrue();
        page.Find("input").Input("alice/tools");
        page.WaitForAssertion(() => DeleteButton().HasAttribute("disabled").ShouldBeFalse());
        DeleteButton().Click();

        var nav = Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => nav.Uri.ShouldBe("http://localhost/u/alice"));
        await using var db = await Db.Factory.CreateDbContextAsync();
        (await db.Collections.AnyAsync()).ShouldBeFalse();
        Directory.EnumerateFiles(Path.Combine(Db.Root, "blobs"), "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task Others_get_no_settings()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        SignIn(await Db.AddUserAsync("bob"));
        RenderProviders();

        var page = RenderSettings();

        page.WaitForAssertion(() => page.Find(".mud-alert").TextContent.ShouldNotBeNullOrWhiteSpace());
        page.FindAll(".mud-tab").ShouldBeEmpty();
    }

    private async Task<bool> IsPrivateAsync(string id)
    {
        await using var db = await Db.Factory.CreateDbContextAsync();
        return await db.Collections.Where(c => c.Id == id).Select(c => c.IsPrivate).SingleAsync();
    }
}
