using System.Text;
using Microsoft.Playwright;

namespace Registry.Tests.Browser;

/// <summary>
/// Playwright helpers for Blazor Server pages. A page is first prerendered (plain HTML: its buttons do nothing yet), then
/// the SignalR circuit starts and its first render batch replaces the prerendered markup with live components, whose
/// elements carry the event delegator's <c>_blazorEvents_N</c> property. Clicking before that is lost, so every full page
/// load waits for it (<see cref="WaitForInteractiveAsync"/>); navigation inside the app then stays on the same circuit.
/// </summary>
public static class BlazorPages
{
    private const string InteractiveScript =
        "() => Array.from(document.querySelectorAll('body *')).some(el => Object.keys(el).some(k => k.startsWith('_blazorEvents_')))";

    public const string Password = "Correct-horse-7";

    /// <summary>Full page load of <paramref name="path"/>, then waits until the circuit has rendered it live.</summary>
    public static async Task<IResponse?> OpenAsync(this IPage page, string path)
    {
        var response = await page.GotoAsync(path);
        await page.WaitForInteractiveAsync();
        return response;
    }

    /// <summary>Waits (bounded) until the Blazor circuit has attached event handlers to the current document.</summary>
    public static Task WaitForInteractiveAsync(this IPage page) =>
        page.WaitForFunctionAsync(InteractiveScript, null, new() { PollingInterval = 100, Timeout = (float)BrowserFixture.UiTimeout.TotalMilliseconds });

    /// <summary>
    /// Fills a MudBlazor text field and leaves it, as a user does: non-immediate fields bind on <c>change</c>, which the
    /// browser fires when the field loses focus. (Named so as not to be hidden by Playwright's own, obsolete
    /// <c>ILocator.TypeAsync</c>, which only types.)
    /// </summary>
    public static async Task EnterAsync(this ILocator field, string value)
    {
        await field.FillAsync(value);
        await field.BlurAsync();
    }

    /// <summary>
    /// Clicks the app bar's "Sign in" on the page as it is, the way a newcomer does (a link to a server-only page: the
    /// first click once showed "Not found"), and waits for the sign-in form.
    /// </summary>
    public static async Task ClickSignInAsync(this IPage page)
    {
        await page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.ExpectSignInFormAsync();
    }

    /// <summary>The sign-in page, not a "Not found" standing at its address.</summary>
    public static async Task ExpectSignInFormAsync(this IPage page)
    {
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"));
        await Assertions.Expect(page.GetByLabel("User name or e-mail")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Not found", new() { Exact = true })).ToHaveCountAsync(0);
    }

    /// <summary>Creates an account as a newcomer does: home page, "Sign in", "Create an account" (user name and password only).</summary>
    public static async Task RegisterAsync(this IPage page, string userName, string? screenshotDir = null)
    {
        await page.OpenAsync("/");
        await page.ClickSignInAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Create an account", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Register"));
        // The URL changes before the new page replaces the old one, whose "User name or e-mail" would take the typing.
        await Assertions.Expect(page.GetByLabel("Confirm password")).ToBeVisibleAsync();
        await page.GetByLabel("User name", new() { Exact = true }).FillAsync(userName);
        if (screenshotDir is not null) await page.SnapAsync(screenshotDir, "register");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByLabel("Confirm password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();
        await Assertions.Expect(page).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Register"));
    }

    /// <summary>Signs in from the home page through the app bar's "Sign in".</summary>
    public static async Task SignInAsync(this IPage page, string userName, string password)
    {
        await page.OpenAsync("/");
        await page.ClickSignInAsync();
        await page.GetByLabel("User name or e-mail").FillAsync(userName);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(page).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"));
    }

    /// <summary>Opens /terms, presses "I agree" and waits to be sent home.</summary>
    public static async Task AgreeToTermsAsync(this IPage page)
    {
        await page.OpenAsync("/terms");
        await page.GetByRole(AriaRole.Button, new() { Name = "I agree" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"^http://[^/]+/$"));
    }

    /// <summary>Full-page screenshot <c>&lt;dir&gt;/&lt;name&gt;.png</c>; returns its path.</summary>
    public static async Task<string> SnapAsync(this IPage page, string dir, string name)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        return path;
    }

    /// <summary>What each open page shows right now (address, visible text), with a screenshot each: evidence for a failed step.</summary>
    public static async Task<string> EvidenceAsync(IEnumerable<(string Who, IPage Page)> pages, string dir, string step, Func<IPage, PageLog?>? logs = null)
    {
        var text = new StringBuilder();
        foreach (var (who, page) in pages)
        {
            if (page.IsClosed) continue;
            try
            {
                var shot = await page.SnapAsync(Path.Combine(dir, "failures"), $"{step}-{who}");
                var body = await page.Locator("body").InnerTextAsync(new() { Timeout = 3000 });
                body = string.Join(" | ", body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                if (body.Length > 700) body = body[..700] + " …";
                text.AppendLine($"[{who}] {page.Url}\n  screenshot: {shot}\n  shows: {body}");
                if (logs?.Invoke(page) is { } log)
                {
                    var logPath = Path.Combine(dir, "failures", $"{step}-{who}.log");
                    await File.WriteAllTextAsync(logPath, log.Tail(400));
                    text.AppendLine($"  console and circuit traffic: {logPath}");
                }
            }
            catch (PlaywrightException e)
            {
                text.AppendLine($"[{who}] {page.Url} (no evidence: {e.Message.Split('\n')[0]})");
            }
        }
        return text.ToString();
    }
}
