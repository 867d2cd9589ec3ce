using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Browser;

/// <summary>
/// Issue 12, the admin's user management clicked from the home page: invite someone by a sign-up link (used twice at
/// once it makes one account, then it is refused), and delete a user (refused while they own collections; a deleted
/// user's open page and token lose their powers at once).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminUsersTests(BrowserFixture fx)
{
    private static PageGetByRoleOptions Named(string name) => new() { Name = name, Exact = true };
    private static LocatorGetByRoleOptions N(string name) => new() { Name = name, Exact = true };

    private async Task<IPage> AdminAsync(string name)
    {
        var password = await CreateAsync(name, admin: true);
        var admin = await fx.NewPageAsync();
        await admin.SignInAsync(name, password);
        await admin.WaitForInteractiveAsync();
        await admin.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, N("Admin")).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, Named("Administration"))).ToBeVisibleAsync();
        return admin;
    }

    [Fact]
    public async Task An_admin_invites_by_link_one_person_registers_through_it_and_a_second_use_is_refused()
    {
        var admin = await AdminAsync("invroot");
        var panel = admin.GetByTestId("signup-invites");
        await panel.GetByLabel("For (a note only admins see)").FillAsync("for nina");
        await panel.GetByRole(AriaRole.Button, N("Create sign-up link")).ClickAsync();
        var link = (await panel.Locator("code").InnerTextAsync()).Trim();
        link.ShouldStartWith(fx.Server.BaseUrl + "/Account/Register?Invite=");
        await Expect(panel.GetByTestId("signup-status")).ToContainTextAsync("open until");

        // Two people got the link and press Register at the same moment: one account is made, the other is told why not.
        var first = await fx.NewPageAsync();
        var second = await fx.NewPageAsync();
        foreach (var (page, name) in new[] { (first, "nina"), (second, "nino") })
        {
            await page.GotoAsync(link);
            await Expect(page.GetByLabel("Confirm password")).ToBeVisibleAsync();
            await page.GetByLabel("User name", new() { Exact = true }).FillAsync(name);
            await page.GetByLabel("Password", new() { Exact = true }).FillAsync(BlazorPages.Password);
            await page.GetByLabel("Confirm password").FillAsync(BlazorPages.Password);
        }
        await Task.WhenAll(first.GetByRole(AriaRole.Button, Named("Register")).ClickAsync(), second.GetByRole(AriaRole.Button, Named("Register")).ClickAsync());
        // No wait for a load event: under CI load one page's post-and-redirect outlasted it (the two Expects below wait for the outcome).
        var refused = new Regex("This sign-up link has already been used");
        await Expect(first.GetByText(refused).Or(first.GetByRole(AriaRole.Banner).GetByText("nina", new() { Exact = true }))).ToBeVisibleAsync();
        await Expect(second.GetByText(refused).Or(second.GetByRole(AriaRole.Banner).GetByText("nino", new() { Exact = true }))).ToBeVisibleAsync();
        var made = new List<string>();
        foreach (var (page, name) in new[] { (first, "nina"), (second, "nino") })
            if (await page.GetByText(refused).CountAsync() == 0) made.Add(name);
        made.ShouldHaveSingleItem();
        (await ExistsAsync("nina")).ShouldNotBe(await ExistsAsync("nino"));
        (await ExistsAsync(made[0])).ShouldBeTrue();

        // Later visitors with the same link are refused before they type anything; the admin sees who used it.
        var late = await fx.NewPageAsync();
        await late.GotoAsync(link);
        await Expect(late.GetByText(refused)).ToBeVisibleAsync();
        await Expect(late.GetByLabel("Confirm password")).ToHaveCountAsync(0);
        await admin.ReloadAsync();
        await admin.WaitForInteractiveAsync();
        await Expect(admin.GetByTestId("signup-status")).ToContainTextAsync($"used by {made[0]}");
    }

    [Fact]
    public async Task An_admin_deletes_a_user_whose_open_page_and_token_lose_their_powers_at_once()
    {
        var keeperToken = await TokenOfNewUserAsync("keeper");
        (await fx.LibAsync(keeperToken, "push", await fx.Sif.CreateAsync(50_000), "keeper/box/seed", "v1")).ExitCode.ShouldBe(0);
        var doomedPassword = await CreateAsync("doomed", admin: false);
        var doomedToken = await fx.Server.CreateTokenAsync("doomed");
        (await TokenStatusAsync(doomedToken)).ShouldBe(HttpStatusCode.OK);
        var doomed = await fx.NewPageAsync();
        await doomed.SignInAsync("doomed", doomedPassword);
        await doomed.WaitForInteractiveAsync();
        await doomed.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, N("Collections")).ClickAsync();
        await Expect(doomed.GetByRole(AriaRole.Button, Named("New collection"))).ToBeVisibleAsync();

        var admin = await AdminAsync("delroot");
        var dialog = admin.GetByRole(AriaRole.Dialog);
        // Someone who still owns collections is not deleted: the admin is told what to do first, and nothing is asked.
        await FilterAsync(admin, "keeper");
        await admin.GetByRole(AriaRole.Button, Named("Delete keeper")).ClickAsync();
        await Expect(admin.GetByTestId("delete-blocked")).ToContainTextAsync("keeper still owns 1 collection (keeper/box): delete them first, or disable the account instead.");
        await Expect(dialog).ToHaveCountAsync(0);

        await FilterAsync(admin, "doomed");
        await admin.GetByRole(AriaRole.Button, Named("Delete doomed")).ClickAsync();
        await Expect(dialog).ToContainTextAsync("Delete doomed?");
        await Expect(dialog).ToContainTextAsync("their tokens stop working");
        await dialog.GetByRole(AriaRole.Button, N("Cancel")).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        (await TokenStatusAsync(doomedToken)).ShouldBe(HttpStatusCode.OK);
        await admin.GetByRole(AriaRole.Button, Named("Delete doomed")).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, N("Delete")).ClickAsync();
        await Expect(admin.GetByText("doomed deleted")).ToBeVisibleAsync();
        await Expect(admin.GetByRole(AriaRole.Button, Named("Delete doomed"))).ToHaveCountAsync(0);

        // No click by doomed: the open page is signed out within moments and can no longer create anything.
        await Expect(doomed.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, N("Sign in"))).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(doomed.GetByRole(AriaRole.Button, Named("New collection"))).ToHaveCountAsync(0);
        (await TokenStatusAsync(doomedToken)).ShouldBe(HttpStatusCode.NotFound); // what remote login reads as "invalid credentials"
        (await fx.LibAsync(doomedToken, "push", await fx.Sif.CreateAsync(50_000), "doomed/box/seed", "v1")).ExitCode.ShouldNotBe(0);
        (await ExistsAsync("doomed")).ShouldBeFalse();
        (await ExistsAsync("keeper")).ShouldBeTrue();
    }

    [Fact]
    public async Task An_admin_pages_through_more_users_than_one_page_holds_and_a_filter_typed_on_page_two_finds_its_user()
    {
        // 26 users beside the ones other tests made: at least two pages of 25, read one page at a time (issue 18).
        await Parallel.ForEachAsync(Enumerable.Range(0, 26), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => await CreateAsync($"pager{i:D2}", admin: false));
        var admin = await AdminAsync("pageroot");
        var rows = UserRows(admin);
        await Expect(rows).ToHaveCountAsync(25);
        var firstOfPageOne = await rows.First.Locator("td").First.InnerTextAsync();
        await admin.GetByRole(AriaRole.Button, Named("Next page")).ClickAsync();
        await Expect(rows.First.Locator("td").First).Not.ToHaveTextAsync(firstOfPageOne);

        // Typed while on page two: the one match is shown, not an empty second page of the filtered list.
        await FilterAsync(admin, "pager07");
        await admin.GetByLabel("Disable pager07", new() { Exact = true }).ClickAsync();
        var dialog = admin.GetByRole(AriaRole.Dialog);
        await dialog.GetByRole(AriaRole.Button, N("Disable")).ClickAsync();
        await Expect(admin.GetByText("pager07 disabled")).ToBeVisibleAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First.Locator("input[type=checkbox]").Nth(1)).ToBeCheckedAsync(); // Admin, Disabled

        // The teams load when their tab is opened (not with every render of /admin).
        await admin.GetByRole(AriaRole.Tab, Named("Teams")).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Columnheader, Named("Membership"))).ToBeVisibleAsync();
    }

    // Typing re-renders the table; a click that lands before that render is lost with the row it was aimed at.
    private static async Task FilterAsync(IPage admin, string name)
    {
        await admin.GetByPlaceholder("Filter users").FillAsync(name);
        await Expect(UserRows(admin)).ToHaveCountAsync(1);
        await Expect(UserRows(admin)).ToContainTextAsync(name);
    }

    // The user table's rows only (the sign-up link panel above it has a table too).
    private static ILocator UserRows(IPage admin) =>
        admin.Locator(".mud-table").Filter(new() { Has = admin.GetByPlaceholder("Filter users") }).Locator("tbody tr");

    private async Task<string> TokenOfNewUserAsync(string name)
    {
        await CreateAsync(name, admin: false);
        return await fx.Server.CreateTokenAsync(name);
    }

    // The admin command line makes tokens only for accounts that exist.
    private async Task<bool> ExistsAsync(string name) => (await fx.Server.AdminAsync("token", "create", name)).ExitCode == 0;

    private async Task<HttpStatusCode> TokenStatusAsync(string token)
    {
        using var http = new HttpClient { BaseAddress = new Uri(fx.Server.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/token-status");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await http.SendAsync(request)).StatusCode;
    }

    private async Task<string> CreateAsync(string name, bool admin)
    {
        var password = "Pw-" + Guid.NewGuid().ToString("N") + "-aZ9!";
        await fx.Server.AdminOkAsync(["user", "add", name, "--accept-terms", "--password", password, .. admin ? new[] { "--admin" } : []]);
        return password;
    }
}
