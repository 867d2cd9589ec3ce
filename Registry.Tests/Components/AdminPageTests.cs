using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Identity;
using Registry.Core.Terms;
using Registry.Web.Components.Pages.Admin;

namespace Registry.Tests.Components;

/// <summary>The admin page: promote and disable users, storage per entity, publishing terms only after confirming.</summary>
public sealed class AdminPageTests : RegistryTestContext
{
    [Fact]
    public async Task An_admin_promotes_and_disables_another_user_but_not_themselves()
    {
        var root = await Db.AddUserAsync("root", isAdmin: true);
        await Db.AddUserAsync("bob");
        SignIn(root);
        var dialogs = RenderProviders();

        var page = Render<AdminPage>();
        page.WaitForAssertion(() => page.Find("input[aria-label='Admin bob']"));
        // Nobody demotes or locks out themselves.
        page.WaitForAssertion(() => page.Find("input[aria-label='Admin root']").HasAttribute("disabled").ShouldBeTrue());
        page.Find("input[aria-label='Disable root']").HasAttribute("disabled").ShouldBeTrue();

        page.Find("input[aria-label='Admin bob']").Change(true); // giving powers needs no question
        var users = Services.GetRequiredService<UserAdminService>();
        await page.WaitForAssertionAsync(async () => (await users.FindAsync("bob"))!.IsAdmin.ShouldBeTrue());

        // Disabling asks first; Cancel leaves bob enabled and the switch off.
        page.Find("input[aria-label='Disable bob']").Change(true);
        Answer(dialogs, "Disable bob?", "Cancel");
        (await users.FindAsync("bob"))!.IsDisabled.ShouldBeFalse();
        page.WaitForAssertion(() => page.Find("input[aria-label='Disable bob']").HasAttribute("checked").ShouldBeFalse());

        page.Find("input[aria-label='Disable bob']").Change(true);
        Answer(dialogs, "Disable bob?", "Disable");
        await page.WaitForAssertionAsync(async () => (await users.FindAsync("bob"))!.IsDisabled.ShouldBeTrue());
    }

    [Fact]
    public async Task Demoting_an_admin_asks_first_and_cancel_keeps_them_admin()
    {
        var root = await Db.AddUserAsync("root", isAdmin: true);
        await Db.AddUserAsync("carol", isAdmin: true);
        SignIn(root);
        var dialogs = RenderProviders();
        var users = Services.GetRequiredService<UserAdminService>();

        var page = Render<AdminPage>();
        page.WaitForAssertion(() => page.Find("input[aria-label='Admin carol']"));
        page.WaitForAssertion(() => page.Find("input[aria-label='Admin carol']").HasAttribute("checked").ShouldBeTrue());
        page.Find("input[aria-label='Admin carol']").Change(false);
        Answer(dialogs, "Demote carol?", "Cancel");
        (await users.FindAsync("carol"))!.IsAdmin.ShouldBeTrue();

        page.Find("input[aria-label='Admin carol']").Change(false);
        Answer(dialogs, "Demote carol?", "Demote");
        await page.WaitForAssertionAsync(async () => (await users.FindAsync("carol"))!.IsAdmin.ShouldBeFalse());
    }

    [Fact]
    public async Task Storage_lists_each_entity_with_its_bytes_and_links_to_it()
    {
        var root = await Db.AddUserAsync("root", isAdmin: true);
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        var sif = SifBuilder.WithObjects();
        await PushAsync(alice, "tools", "demo", "v1", sif);
        SignIn(root);
        RenderProviders();

        var page = Render<AdminPage>();
        page.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Storage").Click();

        page.WaitForAssertion(() => page.FindAll("td[data-label=Entity] a").Select(a => a.GetAttribute("href")).ShouldContain("u/alice"));
        var row = page.FindAll("tr").Single(r => r.QuerySelector("td[data-label=Entity]")?.TextContent.Trim() == "alice");
        row.QuerySelector("td[data-label=Used]")!.TextContent.Trim().ShouldBe(Registry.Web.Components.Shared.Format.Bytes(sif.Length));
        row.QuerySelector("td[data-label=Collections]")!.TextContent.Trim().ShouldBe("1");
    }

    [Fact]
    public async Task Publishing_new_terms_asks_first_and_cancel_changes_nothing()
    {
        var root = await Db.AddUserAsync("root", isAdmin: true);
        SignIn(root);
        var dialogs = RenderProviders();
        var terms = Services.GetRequiredService<TermsService>();
        var before = terms.CurrentVersion;

        var page = Render<AdminPage>();
        page.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Terms").Click();
        Publish(page);
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain($"Publish terms version {before + 1}?"));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldNotContain("Publish terms version"));
        terms.CurrentVersion.ShouldBe(before);

        Publish(page);
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain($"Publish terms version {before + 1}?"));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Publish").Click();
        page.WaitForAssertion(() => terms.CurrentVersion.ShouldBe(before + 1));
        page.WaitForAssertion(() => page.Markup.ShouldContain($"Current version: <b>{before + 1}</b>"));
    }

    private static void Publish(IRenderedComponent<AdminPage> page) =>
        page.FindAll("button").Single(b => b.TextContent.Contains("Publish version")).Click();
}
