using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Browser;

/// <summary>
/// Issue 12: on an invite-only registry a team's invite link is what lets one person create an account. Two people who
/// got the same link and press Register at the same moment make one account (which joins the team); the other is told
/// the link was used, and a later visitor with it is refused before typing anything.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TeamLinkRegistrationTests(BrowserFixture fx)
{
    private static PageGetByRoleOptions Named(string name) => new() { Name = name, Exact = true };

    [Fact]
    public async Task Two_registrations_through_one_team_link_at_once_make_one_account()
    {
        await using var server = await RegistryServer.StartAsync(new HostSetup { ["Accounts:Registration"] = "InviteOnly" });
        try { await RunAsync(server); }
        finally { foreach (var context in _contexts) await context.CloseAsync(); }
    }

    private async Task RunAsync(RegistryServer server)
    {
        var password = "Pw-" + Guid.NewGuid().ToString("N") + "-aZ9!";
        await server.AdminOkAsync("user", "add", "lead", "--accept-terms", "--password", password);
        var lead = await PageOnAsync(server);
        await lead.SignInAsync("lead", password);
        await lead.WaitForInteractiveAsync();
        await lead.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Teams", Exact = true }).ClickAsync();
        var name = lead.GetByLabel("Name", new() { Exact = true });
        await name.FillAsync("lab");
        await name.PressAsync("Enter");
        await Expect(lead).ToHaveURLAsync(new Regex("/teams/lab$"));
        await lead.GetByRole(AriaRole.Button, Named("Create invite link")).ClickAsync();
        var link = (await lead.GetByTestId("invite-link").InnerTextAsync()).Trim();
        link.ShouldStartWith($"{server.BaseUrl}/teams/lab/join/");

        // Both open the link, choose "Create an account" there, fill the form, and press Register together.
        var first = await PageOnAsync(server);
        var second = await PageOnAsync(server);
        foreach (var (page, user) in new[] { (first, "ana"), (second, "ben") })
        {
            await page.OpenAsync(link);
            await page.GetByRole(AriaRole.Link, Named("Create an account")).ClickAsync();
            await Expect(page.GetByLabel("Confirm password")).ToBeVisibleAsync();
            await page.GetByLabel("User name", new() { Exact = true }).FillAsync(user);
            await page.GetByLabel("Password", new() { Exact = true }).FillAsync(BlazorPages.Password);
            await page.GetByLabel("Confirm password").FillAsync(BlazorPages.Password);
        }
        await Task.WhenAll(first.GetByRole(AriaRole.Button, Named("Register")).ClickAsync(), second.GetByRole(AriaRole.Button, Named("Register")).ClickAsync());

        var refused = new Regex("This invite link to team lab has already been used: each link makes one account\\. Ask an owner of lab for a new link\\.");
        var made = new List<string>();
        foreach (var (page, user) in new[] { (first, "ana"), (second, "ben") })
        {
            var joined = page.GetByRole(AriaRole.Banner).GetByText(user, new() { Exact = true });
            await Expect(page.GetByText(refused).Or(joined)).ToBeVisibleAsync();
            if (await joined.CountAsync() == 1)
            {
                made.Add(user);
                await Expect(page).ToHaveURLAsync(new Regex("/teams/lab$")); // the new account landed in its team
            }
        }
        made.ShouldHaveSingleItem();
        (await server.AdminAsync("token", "create", "ana")).ExitCode.ShouldNotBe((await server.AdminAsync("token", "create", "ben")).ExitCode);
        await lead.ReloadAsync();
        await lead.WaitForInteractiveAsync();
        await Expect(lead.GetByText("Members (2)", new() { Exact = true })).ToBeVisibleAsync();

        // Someone opening the link later is told at once, with no form to fill.
        var late = await PageOnAsync(server);
        await late.GotoAsync($"{server.BaseUrl}/Account/Register?Invite={Uri.EscapeDataString("lab/" + link.Split('/')[^1])}");
        await Expect(late.GetByText(refused)).ToBeVisibleAsync();
        await Expect(late.GetByLabel("Confirm password")).ToHaveCountAsync(0);
    }

    private readonly List<IBrowserContext> _contexts = [];

    /// <summary>A page of the shared browser, in its own context (own cookies), on this test's own server.</summary>
    private async Task<IPage> PageOnAsync(RegistryServer server)
    {
        var context = await fx.Browser.NewContextAsync(new() { BaseURL = server.BaseUrl, ViewportSize = new() { Width = 1366, Height = 900 }, Locale = "en-US" });
        context.SetDefaultTimeout((float)BrowserFixture.UiTimeout.TotalMilliseconds);
        _contexts.Add(context);
        return await context.NewPageAsync();
    }
}
