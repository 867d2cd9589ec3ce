using System.Net;
using Microsoft.Playwright;
using Registry.Tests.Oci;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Browser;

/// <summary>
/// The tokens page's "New CLI secret" (issue 17), reached from the home page by clicking only: the secret it shows is the
/// <c>/v2/</c> password from then on (real HTTP: the token endpoint, a blob push), the old one and every login made with
/// it are refused, the new one is nothing on the Library API; two pages rotating at once leave exactly one working.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CliSecretBrowserTests(BrowserFixture fx)
{
    private Uri Site => new(fx.Server.BaseUrl);

    private static string Scope(string user) => $"repository:{user}/lab/tool:pull,push";

    private async Task<HttpStatusCode> LoginAsync(string user, string secret)
    {
        using var response = await new OciClient(Site, user, secret).LoginAsync(Scope(user));
        return response.StatusCode;
    }

    private async Task<(string Token, string Password)> NewUserAsync(string user)
    {
        var password = "Pw-" + Guid.NewGuid().ToString("N") + "-aZ9!";
        await fx.Server.AdminOkAsync("user", "add", user, "--accept-terms", "--password", password);
        return (await fx.Server.CreateTokenAsync(user), password);
    }

    /// <summary>Home page, "Sign in", then the app bar's "Tokens": as someone in a hurry, waiting for nothing but what they click.</summary>
    private async Task<IPage> TokensPageAsync(string user, string password)
    {
        var page = await fx.NewPageAsync();
        await page.SignInAsync(user, password);
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Tokens", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Access tokens" })).ToBeVisibleAsync();
        return page;
    }

    private static async Task ClickNewSecretAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "New CLI secret", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("stops working at once");
    }

    private static async Task<string> ConfirmAndReadAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Replace", Exact = true }).ClickAsync();
        var shown = page.GetByTestId("new-cli-secret").Locator("code");
        await Expect(shown).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^reg_"));
        return await shown.InnerTextAsync();
    }

    [Fact]
    public async Task The_secret_shown_after_new_cli_secret_works_on_v2_and_the_old_one_no_longer_does()
    {
        const string user = "clibrowser";
        var (token, password) = await NewUserAsync(user);
        var old = (await CliRequests.GetLoginPasswordAsync(Site, token)).Secret!; // apptainer remote get-login-password
        var oldLogin = new OciClient(Site, user, old);
        (await oldLogin.LoginAsync(Scope(user))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var page = await TokensPageAsync(user, password);
        await ClickNewSecretAsync(page);
        var secret = await ConfirmAndReadAsync(page);

        secret.ShouldNotBe(old);
        var fresh = new OciClient(Site, user, secret);
        (await fresh.LoginAsync(Scope(user))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await fresh.PushBlobAsync($"{user}/lab/tool", "{}"u8.ToArray())).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await CliRequests.GetLoginPasswordAsync(Site, token)).Secret.ShouldBe(secret);

        // The old secret, and the /v2/ login already made with it, are refused.
        (await LoginAsync(user, old)).ShouldBe(HttpStatusCode.Unauthorized);
        using (var stale = await oldLogin.SendAsync(HttpMethod.Post, $"/v2/{user}/lab/tool/blobs/uploads/"))
            stale.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        // Someone holding the shown secret gets no further: not under another name, not on the Library API.
        await NewUserAsync("clibystander");
        (await LoginAsync("clibystander", secret)).ShouldBe(HttpStatusCode.Unauthorized);
        (await TestHttp.Client(Site, secret).GetAsync("/v1/rbac/users/current")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Two_pages_replacing_the_secret_at_once_leave_exactly_one_working_the_one_get_login_password_answers()
    {
        const string user = "clitwopages";
        var (token, password) = await NewUserAsync(user);
        var old = (await CliRequests.GetLoginPasswordAsync(Site, token)).Secret!;
        var pages = await Task.WhenAll(TokensPageAsync(user, password), TokensPageAsync(user, password));
        foreach (var page in pages) await ClickNewSecretAsync(page);

        var shown = await Task.WhenAll(pages.Select(ConfirmAndReadAsync)); // both "Replace" clicks at once
        shown.Distinct().Count().ShouldBe(2);

        // The rotations ran one after the other: the second revoked the first's secret, so one shown secret works.
        var works = new List<string>();
        foreach (var secret in shown.Append(old))
            if (await LoginAsync(user, secret) == HttpStatusCode.OK) works.Add(secret);
        var winner = works.ShouldHaveSingleItem();
        shown.ShouldContain(winner);
        (await CliRequests.GetLoginPasswordAsync(Site, token)).Secret.ShouldBe(winner);
    }
}
