using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using Registry.Tests.Browser;
using Registry.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Nodes;

/// <summary>
/// Three nodes behind HAProxy (<see cref="ThreeNodes"/>) and a headless Chromium: a token revoked on one node's tokens
/// page is refused by the two others within a second, and a browser signed in through the balancer stays signed in when
/// the node its stickiness cookie names is killed (the reload lands on another node, which reads the same cookie).
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class ThreeNodesBrowserTests(ThreeNodes three) : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        _playwright = await PlaywrightDriver.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            Timeout = (float)TimeSpan.FromSeconds(60).TotalMilliseconds,
        });
    }

    [Fact]
    public async Task A_token_revoked_on_one_node_is_refused_by_the_two_others_within_a_second()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("browser");
        var doomed = (await fx.Node(0).AdminOkAsync("token", "create", user.Name, "--label", "doomed")).Stdout.Trim().Split('\n')[^1].Trim();
        var others = new[] { fx.Node(1), fx.Node(2) };
        foreach (var node in others) // their token caches hold it
            for (var i = 0; i < 3; i++) (await TokenStatusAsync(node, doomed)).ShouldBe(HttpStatusCode.OK);

        var page = await NewPageAsync(fx.Node(0).BaseUrl);
        await page.SignInAsync(user.Name, user.Password);
        await page.OpenAsync("/auth/tokens");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke doomed", Exact = true }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true });
        await Expect(confirm).ToBeVisibleAsync();
        var clock = Stopwatch.StartNew();
        await confirm.ClickAsync();

        // Counted from node A's own first refusal (its commit), not from the click: the browser's round trip to A under a
        // loaded CI machine is not what the other nodes' caches answer for.
        var refusals = await Task.WhenAll(new[] { fx.Node(0) }.Concat(others).Select(node => FirstRefusalAsync(node, doomed, clock)));
        refusals[0].ShouldBeLessThan(Within * 10, "node A never refused the revoked token");
        var refusedAfter = refusals[1..].Select(t => t - refusals[0]).ToArray();
        await Expect(page.GetByText("Token doomed revoked")).ToBeVisibleAsync();
        refusedAfter.ShouldAllBe(t => t < Within, $"refused after {string.Join(", ", refusedAfter)} (A at {refusals[0]})");
        (await TokenStatusAsync(fx.Node(0), doomed)).ShouldBe(HttpStatusCode.NotFound);
        (await TokenStatusAsync(fx.Node(1), user.Token)).ShouldBe(HttpStatusCode.OK); // only that token
    }

    [Fact]
    public async Task A_browser_signed_in_through_the_balancer_stays_signed_in_when_its_node_is_killed()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("browser");
        var page = await NewPageAsync(fx.Balancer.BaseAddress.ToString().TrimEnd('/'), ignoreHttpsErrors: true);
        await page.SignInAsync(user.Name, user.Password);
        await page.OpenAsync("/auth/tokens");
        await Expect(page.GetByText("Your tokens")).ToBeVisibleAsync();
        var before = await StickyNodeAsync(page);

        await fx.KillAsync(int.Parse(before["node".Length..]) - 1);
        await page.ReloadAsync();
        await page.WaitForInteractiveAsync();

        page.Url.ShouldEndWith("/auth/tokens"); // not sent to the sign-in page
        await Expect(page.GetByText("Your tokens")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = user.Name, Exact = true })).ToBeVisibleAsync();
        (await StickyNodeAsync(page)).ShouldNotBe(before);
        // One key ring for all: three nodes started at once on the empty folder made one key, not one each (a node's
        // ring stops looking for keys it lacks two minutes after its start, and would refuse the others' cookies).
        Directory.GetFiles(Path.Combine(fx.DataPath, "keys", "data-protection"), "key-*.xml").ShouldHaveSingleItem();
        // The new node's circuit works too: a click that needs the server answers.
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke cli", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
    }

    private async Task<IPage> NewPageAsync(string baseUrl, bool ignoreHttpsErrors = false)
    {
        var context = await _browser!.NewContextAsync(new() { BaseURL = baseUrl, IgnoreHTTPSErrors = ignoreHttpsErrors, Locale = "en-US", TimezoneId = "UTC" });
        context.SetDefaultTimeout((float)BrowserFixture.UiTimeout.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)BrowserFixture.UiTimeout.TotalMilliseconds);
        return await context.NewPageAsync();
    }

    private static async Task<string> StickyNodeAsync(IPage page)
    {
        var cookies = await page.Context.CookiesAsync();
        cookies.ShouldContain(c => c.Name.StartsWith(".AspNetCore.Identity", StringComparison.Ordinal), "no sign-in cookie");
        return cookies.Single(c => c.Name == "REGISTRY_NODE").Value;
    }

    /// <summary>When (on <paramref name="clock"/>) the first request that <paramref name="node"/> refused the token started.</summary>
    private static async Task<TimeSpan> FirstRefusalAsync(RegistryServer node, string token, Stopwatch clock)
    {
        while (clock.Elapsed < Within * 10)
        {
            var startedAt = clock.Elapsed;
            if (await TokenStatusAsync(node, token) == HttpStatusCode.NotFound) return startedAt;
            await Task.Delay(20);
        }
        return TimeSpan.MaxValue;
    }

    private static async Task<HttpStatusCode> TokenStatusAsync(RegistryServer node, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/token-status");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var answer = await node.Http.SendAsync(request);
        return answer.StatusCode;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
    }
}
