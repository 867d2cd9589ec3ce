using System.Net;

namespace Registry.Tests.SignIn;

/// <summary>The account pages for an authenticator app, passkeys and linked providers answer as before their logic moved into classes.</summary>
public sealed class ManagePagesTests(SignInFactory factory) : IClassFixture<SignInFactory>
{
    private async Task<BrowserSession> SignedInAsync(string name, bool create = true, BrowserSession? browser = null)
    {
        if (create) await factory.CreateUserWithPasswordAsync(name, "Manage-pass-1", $"{name}@example.edu");
        browser ??= factory.Browser(LocalSignIn.NextAddress());
        var login = await browser.GetAsync("/Account/Login");
        var home = await browser.SubmitAsync(login, "login", new() { ["Input.Email"] = name, ["Input.Password"] = "Manage-pass-1" });
        home.Address.AbsolutePath.ShouldBe("/");
        return browser;
    }

    [Fact]
    public async Task The_authenticator_page_shows_the_key_in_groups_and_refuses_a_wrong_code()
    {
        var name = "auth" + Guid.NewGuid().ToString("N")[..6];
        using var browser = await SignedInAsync(name);
        var first = await browser.GetAsync("/Account/Manage/EnableAuthenticator");
        var firstKey = KeyOn(first);

        var page = await browser.GetAsync("/Account/Manage/EnableAuthenticator"); // still signed in: the first visit ends no sign-in

        page.Status.ShouldBe(HttpStatusCode.OK);
        page.Address.AbsolutePath.ShouldBe("/Account/Manage/EnableAuthenticator");
        var key = KeyOn(page);
        key.ShouldBe(firstKey);
        key.ShouldMatch("^([a-z2-7]{4} )+[a-z2-7]{1,4}$");
        page.Html.ShouldContain($"data-url=\"otpauth://totp/Microsoft.AspNetCore.Identity.UI:");
        page.Html.ShouldContain($"secret={key.Replace(" ", "").ToUpperInvariant()}&amp;issuer=Microsoft.AspNetCore.Identity.UI&amp;digits=6");
        var wrong = await browser.SubmitAsync(page, "send-code", new() { ["Input.Code"] = "000000" });
        wrong.Html.ShouldContain("Verification code is invalid.");
        wrong.Html.ShouldContain($"<kbd>{key}</kbd>"); // the same key: a wrong code does not reset it
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // e-mail is optional: the page once threw on an account without one
    public async Task The_first_code_made_from_the_key_of_the_first_visit_turns_two_factor_sign_in_on(bool withEmail)
    {
        var name = "totp" + Guid.NewGuid().ToString("N")[..6];
        await factory.CreateUserWithPasswordAsync(name, "Manage-pass-1", withEmail ? $"{name}@example.edu" : null);
        using var browser = await SignedInAsync(name, create: false);
        var page = await browser.GetAsync("/Account/Manage/EnableAuthenticator");
        page.Status.ShouldBe(HttpStatusCode.OK);
        page.Html.ShouldContain($"otpauth://totp/Microsoft.AspNetCore.Identity.UI:{name}"); // the e-mail address, or the user name without one

        var done = await browser.SubmitAsync(page, "send-code", new() { ["Input.Code"] = Totp.Code(KeyOn(page), DateTimeOffset.UtcNow) });

        done.Address.AbsolutePath.ShouldBe("/Account/Manage/EnableAuthenticator");
        done.Html.ShouldContain("Your authenticator app has been verified.");
        done.Html.ShouldNotContain("Verification code is invalid.");
        // Signing in again now asks for a code.
        using var again = factory.Browser(LocalSignIn.NextAddress());
        var login = await again.GetAsync("/Account/Login");
        var next = await again.SubmitAsync(login, "login", new() { ["Input.Email"] = name, ["Input.Password"] = "Manage-pass-1" });
        next.Address.AbsolutePath.ShouldBe("/Account/LoginWith2fa");
    }

    private static string KeyOn(BrowserSession.Page page)
    {
        var key = System.Text.RegularExpressions.Regex.Match(page.Html, "<kbd>([^<]*)</kbd>").Groups[1].Value;
        key.ShouldNotBeNullOrEmpty(page.Html.Length > 400 ? page.Html[..400] : page.Html);
        return key;
    }

    [Fact]
    public async Task The_passkeys_page_reports_a_browser_error_and_a_missing_passkey()
    {
        using var browser = await SignedInAsync("pk" + Guid.NewGuid().ToString("N")[..6]);

        var page = await browser.GetAsync("/Account/Manage/Passkeys");
        page.Html.ShouldContain("No passkeys are registered.");

        var failed = await browser.SubmitAsync(page, "add-passkey", new() { ["Input.Error"] = "The operation was cancelled." });
        failed.Address.AbsolutePath.ShouldBe("/Account/Manage/Passkeys");
        failed.Html.ShouldContain("Error: The operation was cancelled.");
        var empty = await browser.SubmitAsync(failed, "add-passkey", new() { ["Input.CredentialJson"] = "" });
        empty.Html.ShouldContain("Error: The browser did not provide a passkey.");
        empty.Html.ShouldContain("No passkeys are registered.");
    }

    [Fact]
    public async Task The_external_logins_page_offers_the_providers_not_yet_linked()
    {
        using var browser = await SignedInAsync("ext" + Guid.NewGuid().ToString("N")[..6]);

        var page = await browser.GetAsync("/Account/Manage/ExternalLogins");

        page.Status.ShouldBe(HttpStatusCode.OK);
        page.Html.ShouldContain("action=\"Account/Manage/LinkExternalLogin\"");
        page.Html.ShouldContain($"name=\"Provider\" value=\"{SignInFactory.Scheme}\"");
        page.Html.ShouldNotContain("Registered Logins");
    }
}
