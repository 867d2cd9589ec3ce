using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Browser;

/// <summary>
/// Issue 12: an admin edits the terms' text in the web UI and publishes it; a signed-in user's next click shows the new
/// text to agree to. On a server of its own, since publishing asks every user of that server to agree again.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TermsEditTests(BrowserFixture fx)
{
    private static PageGetByRoleOptions Named(string name) => new() { Name = name, Exact = true };
    private static LocatorGetByRoleOptions N(string name) => new() { Name = name, Exact = true };

    [Fact]
    public async Task An_admin_edits_and_publishes_the_terms_and_a_users_next_click_shows_the_new_text()
    {
        await using var server = await RegistryServer.StartAsync(new()
        {
            ["Accounts:TermsVersion"] = "1", ["Accounts:TermsFile"] = "", ["Accounts:TermsText"] = "Old rules.",
        });
        var adminPassword = await CreateAsync(server, "termsroot", admin: true);
        var userPassword = await CreateAsync(server, "tina", admin: false);

        var user = await NewPageAsync(server);
        await user.SignInAsync("tina", userPassword);
        await user.WaitForInteractiveAsync();

        var admin = await NewPageAsync(server);
        await admin.SignInAsync("termsroot", adminPassword);
        await admin.WaitForInteractiveAsync();
        await admin.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, N("Admin")).ClickAsync();
        await admin.GetByRole(AriaRole.Tab, Named("Terms")).ClickAsync();
        var text = admin.GetByLabel("Terms of service");
        await Expect(text).ToHaveValueAsync("Old rules.");
        // An empty text is refused with a message, not saved.
        await text.FillAsync("   ");
        await admin.GetByRole(AriaRole.Button, Named("Save text")).ClickAsync();
        await Expect(admin.GetByText("The terms can't be empty.")).ToBeVisibleAsync();
        await text.FillAsync("# House rules\n\nLabel every image you push.");
        await admin.GetByRole(AriaRole.Button, Named("Save text")).ClickAsync();
        await Expect(admin.GetByText("Terms text saved")).ToBeVisibleAsync();
        await admin.GetByRole(AriaRole.Button, Named("Publish version 2")).ClickAsync();
        await admin.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, N("Publish")).ClickAsync();
        await Expect(admin.GetByText("Terms version 2 published")).ToBeVisibleAsync();

        // tina's next click goes to the new terms; agreeing takes her where she was going.
        await user.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, N("Collections")).ClickAsync();
        await Expect(user).ToHaveURLAsync(new Regex(@"/terms\?returnUrl=%2Fcollections$"));
        await Expect(user.GetByTestId("terms-text")).ToContainTextAsync("Label every image you push.");
        await Expect(user.GetByTestId("terms-text")).Not.ToContainTextAsync("Old rules.");
        await Expect(user.GetByRole(AriaRole.Heading, Named("House rules"))).ToBeVisibleAsync();
        await user.GetByRole(AriaRole.Button, Named("I agree")).ClickAsync();
        await Expect(user).ToHaveURLAsync(new Regex("/collections$"));

        // The admin too agrees to the new version; the text is stored, not held by the old page.
        await admin.ReloadAsync();
        await admin.WaitForInteractiveAsync();
        await Expect(admin.GetByTestId("terms-text")).ToContainTextAsync("Label every image you push.");
        await admin.GetByRole(AriaRole.Button, Named("I agree")).ClickAsync();
        await Expect(admin).ToHaveURLAsync(new Regex("/admin$"));
        await admin.GetByRole(AriaRole.Tab, Named("Terms")).ClickAsync();
        await Expect(admin.GetByLabel("Terms of service")).ToHaveValueAsync("# House rules\n\nLabel every image you push.");
    }

    private async Task<IPage> NewPageAsync(RegistryServer server)
    {
        var context = await fx.Browser.NewContextAsync(new() { BaseURL = server.BaseUrl, ViewportSize = new() { Width = 1366, Height = 900 }, Locale = "en-US" });
        context.SetDefaultTimeout((float)BrowserFixture.UiTimeout.TotalMilliseconds);
        return await context.NewPageAsync();
    }

    private static async Task<string> CreateAsync(RegistryServer server, string name, bool admin)
    {
        var password = "Pw-" + Guid.NewGuid().ToString("N") + "-aZ9!";
        await server.AdminOkAsync(["user", "add", name, "--accept-terms", "--password", password, .. admin ? new[] { "--admin" } : []]);
        return password;
    }
}
