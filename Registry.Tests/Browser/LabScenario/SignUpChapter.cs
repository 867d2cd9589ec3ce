using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static Registry.Tests.Browser.LabScenario.Lab;

namespace Registry.Tests.Browser.LabScenario;

/// <summary>
/// The admin publishes terms, and alice signs up and must agree to them first. A chapter of <see
/// cref="LabScenarioTests"/>, whose steps run in order and share <see cref="ScenarioState"/>.
/// </summary>
internal sealed class SignUpChapter(BrowserFixture fx)
{
    private ScenarioState S => fx.State;

    public async Task S01_Admin_publishes_terms_version_1()
    {
        S.AdminPassword = await fx.Server.CreateUserAsync("root", admin: true);
        var admin = S.Admin = await fx.NewPageAsync();
        await admin.SignInAsync("root", S.AdminPassword);

        await admin.OpenAsync("/admin");
        await Expect(admin.GetByRole(AriaRole.Heading, Named("Administration"))).ToBeVisibleAsync();
        await admin.GetByRole(AriaRole.Tab, Named("Terms")).ClickAsync();
        await Expect(admin.GetByText("Current version: 0")).ToBeVisibleAsync();
        await admin.GetByRole(AriaRole.Button, Named("Publish version 1")).ClickAsync();
        await admin.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        await Expect(admin.GetByText("Terms version 1 published")).ToBeVisibleAsync();
        await Expect(admin.GetByText("Current version: 1")).ToBeVisibleAsync();
    }

    public async Task S02_Sign_up_shows_the_terms_which_must_be_agreed_before_anything_works()
    {
        S.Require("S01");
        var alice = S.Alice = await fx.NewPageAsync();
        await alice.RegisterAsync("alice", fx.ScreenshotDir);

        // The first thing a new account sees is the terms.
        await Expect(alice).ToHaveURLAsync(new Regex(@"/terms\?returnUrl=%2F$"));
        await alice.WaitForInteractiveAsync();
        await Expect(alice.GetByRole(AriaRole.Heading, Named("Terms of service"))).ToBeVisibleAsync();
        await Expect(alice.GetByTestId("terms-text")).ToContainTextAsync("Terms of use");
        await Expect(alice.GetByText("Please read and agree to the terms (version 1) to continue using the registry.")).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "terms");

        // Every page sends her back to the terms until she agrees (tokens included).
        foreach (var path in new[] { "/teams", "/auth/tokens", "/collections" })
        {
            await alice.GotoAsync(path);
            await Expect(alice).ToHaveURLAsync(new Regex(@"/terms\?returnUrl=" + Regex.Escape(Uri.EscapeDataString(path)) + "$"));
            await Expect(alice.GetByRole(AriaRole.Button, Named("I agree"))).ToBeVisibleAsync();
        }

        // Agreeing goes on to where she wanted to go (the last page tried: /collections).
        await alice.WaitForInteractiveAsync();
        await alice.GetByRole(AriaRole.Button, Named("I agree")).ClickAsync();
        await Expect(alice).ToHaveURLAsync(EndsWith("/collections"));
        await Expect(alice.GetByRole(AriaRole.Heading, Named("Collections"))).ToBeVisibleAsync();
        await alice.OpenAsync("/auth/tokens");
        await Expect(alice.GetByRole(AriaRole.Button, Named("Create token"))).ToBeVisibleAsync();
    }
}
