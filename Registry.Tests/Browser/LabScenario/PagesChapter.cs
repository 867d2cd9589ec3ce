using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static Registry.Tests.Browser.LabScenario.Lab;

namespace Registry.Tests.Browser.LabScenario;

/// <summary>
/// The other main pages, the app bar, a new collection, a newcomer's way to sign in, and an admin disabling a
/// signed-in user. A chapter of <see cref="LabScenarioTests"/>, whose steps run in order and share <see
/// cref="ScenarioState"/>.
/// </summary>
internal sealed class PagesChapter(BrowserFixture fx)
{
    private ScenarioState S => fx.State;

    public async Task S15_Screenshots_of_the_other_main_pages()
    {
        S.Require("S07");
        var alice = S.Alice!;
        await alice.OpenAsync("/");
        await Expect(alice.GetByText("Recently updated")).ToBeVisibleAsync();
        await Expect(alice.GetByText($"{Collection}/seed", new() { Exact = true })).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "home");
        await alice.GetByText($"{Collection}/seed", new() { Exact = true }).ClickAsync();
        await Expect(alice).ToHaveURLAsync(EndsWith($"/{Collection}/seed"));

        await alice.OpenAsync("/teams");
        await Expect(alice.GetByRole(AriaRole.Link, Named(Team))).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "teams");

        await alice.OpenAsync("/search?q=seed");
        await Expect(alice.GetByRole(AriaRole.Heading, Named("Containers"))).ToBeVisibleAsync();
        await Expect(alice.GetByText($"{Collection}/seed", new() { Exact = true })).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "search");

        await alice.OpenAsync($"/{Collection}");
        await Expect(alice.GetByRole(AriaRole.Link, Named("seed"))).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "collection");

        // The same page on a phone: the app bar collapses into the menu button.
        await alice.SetViewportSizeAsync(390, 844);
        try
        {
            await Expect(alice.GetByRole(AriaRole.Button, Named("Open navigation"))).ToBeVisibleAsync();
            await alice.SnapAsync(fx.ScreenshotDir, "collection-phone");
        }
        finally { await alice.SetViewportSizeAsync(1366, 900); }

        // The admin, who published terms version 1, has to agree too before the admin pages work again.
        S.Require("S01");
        var admin = S.Admin!;
        await admin.GotoAsync("/admin");
        await Expect(admin).ToHaveURLAsync(new Regex(@"/terms\?returnUrl=%2Fadmin$"));
        await admin.WaitForInteractiveAsync();
        await admin.GetByRole(AriaRole.Button, Named("I agree")).ClickAsync();
        await Expect(admin).ToHaveURLAsync(EndsWith("/admin"));
        foreach (var user in new[] { "alice", "bob", "carol" })
            await Expect(admin.GetByRole(AriaRole.Row).Filter(new() { Has = admin.GetByRole(AriaRole.Link, Named(user)) })).ToBeVisibleAsync();
        await admin.SnapAsync(fx.ScreenshotDir, "admin");
    }

    public async Task S16_The_app_bar_leads_to_every_main_page()
    {
        S.Require("S02");
        var alice = S.Alice!;
        await alice.OpenAsync("/teams");
        var bar = alice.GetByRole(AriaRole.Banner);
        foreach (var (name, path, heading) in new[]
                 {
                     ("Collections", "/collections", "Collections"), ("Treemap", "/treemap", "Storage"), ("Tokens", "/auth/tokens", "Access tokens"),
                     ("Keys", "/keys", "Signing keys"),
                     ("Teams", "/teams", "Teams"), ("Home", "/", "Registry"),
                 })
        {
            await bar.GetByText(name, new() { Exact = true }).ClickAsync();
            await Expect(alice).ToHaveURLAsync(new Regex("^" + Regex.Escape(fx.Server.BaseUrl + path) + "$"));
            await Expect(alice.GetByRole(AriaRole.Heading, Named(heading)).First).ToBeVisibleAsync();
        }

        // API docs: not a Blazor page, so a full load of the embedded Swagger UI, which renders the document under our CSP.
        await bar.GetByText("API", new() { Exact = true }).ClickAsync();
        await Expect(alice).ToHaveURLAsync(EndsWith("/api/index.html"));
        await Expect(alice.GetByRole(AriaRole.Heading, new() { Name = "Registry Library API" })).ToBeVisibleAsync();
        await Expect(alice.GetByText("/v1/images/{reference}", new() { Exact = true }).First).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "api");
    }

    public async Task S17_New_collection_from_the_collections_page()
    {
        S.Require("S02");
        var alice = S.Alice!;
        await alice.OpenAsync("/collections");
        await alice.WaitForInteractiveAsync();
        await alice.GetByRole(AriaRole.Button, Named("New collection")).ClickAsync();
        var dialog = alice.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("New collection");

        // A name the registry can't use gets a friendly message with a suggestion, not a server error.
        var name = dialog.GetByLabel("Name", new() { Exact = true });
        await name.EnterAsync("Lab Notes");
        await Expect(dialog.GetByText("e.g. lab-notes")).ToBeVisibleAsync();
        await name.EnterAsync("lab-notes");
        await dialog.GetByLabel("Description").EnterAsync("Shared notebooks");
        await alice.SnapAsync(fx.ScreenshotDir, "new-collection");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();

        await Expect(alice).ToHaveURLAsync(EndsWith("/alice/lab-notes"));
        await Expect(alice.GetByRole(AriaRole.Heading, Named("alice/lab-notes"))).ToBeVisibleAsync();
        await Expect(alice.GetByText("Shared notebooks")).ToBeVisibleAsync();
    }

    public async Task S18_A_newcomer_reaches_sign_in_from_a_not_found_page_and_from_the_phone_menu()
    {
        var visitor = await fx.NewPageAsync();
        await visitor.OpenAsync("/nobody/nothing-here");
        await Expect(visitor.GetByRole(AriaRole.Heading, Named("Not found"))).ToBeVisibleAsync();
        await visitor.GetByRole(AriaRole.Link, Named("Sign in")).Last.ClickAsync();
        await visitor.ExpectSignInFormAsync();

        await visitor.SetViewportSizeAsync(390, 844);
        await visitor.OpenAsync("/collections");
        await visitor.GetByRole(AriaRole.Button, Named("Open navigation")).ClickAsync();
        await visitor.GetByRole(AriaRole.Link, Named("Sign in")).Last.ClickAsync();
        await visitor.ExpectSignInFormAsync();
        await visitor.GoBackAsync();
        await visitor.WaitForInteractiveAsync();
        await visitor.GetByRole(AriaRole.Button, Named("Open navigation")).ClickAsync();
        await visitor.GetByRole(AriaRole.Link, Named("Register")).Last.ClickAsync();
        await Expect(visitor).ToHaveURLAsync(new Regex("/Account/Register"));
        await Expect(visitor.GetByLabel("Confirm password")).ToBeVisibleAsync();
    }

    public async Task S19_An_admin_disables_a_signed_in_user_whose_open_page_loses_its_powers_at_once()
    {
        S.Require("S15"); // the admin has agreed to the terms
        var dave = await fx.NewPageAsync();
        await dave.RegisterAsync("dave");
        await dave.AgreeToTermsAsync();
        await dave.OpenAsync("/collections");
        await Expect(dave.GetByRole(AriaRole.Button, Named("New collection"))).ToBeVisibleAsync();

        var admin = S.Admin!;
        await admin.OpenAsync("/admin");
        var disable = admin.GetByLabel("Disable dave");
        var dialog = admin.GetByRole(AriaRole.Dialog);
        // Disabling asks first; Cancel leaves dave enabled, the switch off and his page as it was.
        await disable.ClickAsync(new() { Force = true });
        await Expect(dialog.GetByText("Disable dave?")).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(disable).Not.ToBeCheckedAsync();
        await Expect(admin.GetByText("dave disabled")).ToHaveCountAsync(0);
        await Expect(dave.GetByRole(AriaRole.Button, Named("New collection"))).ToBeVisibleAsync();

        await disable.ClickAsync(new() { Force = true });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Disable", Exact = true }).ClickAsync();
        await Expect(admin.GetByText("dave disabled")).ToBeVisibleAsync();

        // No click, no reload by dave: his open page is signed out within moments, not at the next 30-minute check.
        await Expect(dave.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(dave.GetByRole(AriaRole.Button, Named("New collection"))).ToHaveCountAsync(0);
        await dave.OpenAsync("/collections");
        await Expect(dave.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
    }
}
