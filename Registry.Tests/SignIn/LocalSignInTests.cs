using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Teams;

namespace Registry.Tests.SignIn;

/// <summary>
/// Return URLs after sign-in, registration, external sign-in and sign-out only ever lead to this site: anything but a plain
/// site path (the known bypass forms below) lands on the home page, not on an error. Each case signs in from its own address,
/// so the per-address sign-in limit does not interfere.
/// </summary>
public sealed class ReturnUrlTests(SignInFactory factory) : IClassFixture<SignInFactory>
{
    public static TheoryData<string> Foreign =>
    [
        "https://evil.example/steal", "//evil.example/steal", "///evil.example", " //evil.example", "//evil.example ",
        "\t//evil.example", "/\t/evil.example", "/%09/evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
        "%2f%2fevil.example", "/%2f%2fevil.example", "/%5cevil.example", "javascript:alert(1)", "http:evil.example", " /auth/tokens",
        "/auth/tokens ",
    ];

    [Theory]
    [MemberData(nameof(Foreign))]
    public async Task A_foreign_return_url_is_not_followed_after_a_password_sign_in(string returnUrl)
    {
        var name = "ret" + Guid.NewGuid().ToString("N")[..8];
        await factory.CreateUserWithPasswordAsync(name, "Return-pass-1");
        using var browser = factory.Browser(LocalSignIn.NextAddress());
        var login = await browser.GetAsync("/Account/Login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));

        var signedIn = await browser.SubmitAsync(login, "login", new() { ["Input.Email"] = name, ["Input.Password"] = "Return-pass-1" }, follow: false);

        signedIn.Status.ShouldBe(HttpStatusCode.Redirect);
        signedIn.Response.Headers.Location!.ToString().ShouldBeOneOf("/", factory.BaseAddress.ToString());
        var landed = await browser.FollowAsync(signedIn);
        landed.Status.ShouldBe(HttpStatusCode.OK);
        landed.Address.AbsolutePath.ShouldBe("/");
        browser.Visited.ShouldAllBe(u => u.Authority == factory.BaseAddress.Authority);
        (await factory.AuditAsync("signin")).ShouldContain(e => e.UserName == name);
    }

    [Theory]
    [MemberData(nameof(Foreign))]
    public void The_one_local_url_check_sends_every_bypass_form_home(string returnUrl)
    {
        Registry.Web.Security.LocalUrl.IsLocal(returnUrl).ShouldBeFalse();
        Registry.Web.Security.LocalUrl.OrHome(returnUrl, factory.BaseAddress.ToString()).ShouldBe("/");
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/auth/tokens?x=1", "/auth/tokens?x=1")]
    [InlineData("/terms?returnUrl=%2Fteams", "/terms?returnUrl=%2Fteams")]
    [InlineData("http://site.example/teams/lab", "/teams/lab")] // an absolute URL of this site becomes its path
    [InlineData("http://site.example//evil.example", "/")]
    public void Site_paths_are_kept(string returnUrl, string expected) =>
        Registry.Web.Security.LocalUrl.OrHome(returnUrl, "http://site.example/").ShouldBe(expected);

    [Fact]
    public async Task A_return_url_on_this_site_is_followed_also_when_given_as_an_absolute_url()
    {
        await factory.CreateUserWithPasswordAsync("homebody", "Homebody-pass-1");
        using var browser = factory.Browser(LocalSignIn.NextAddress());

        var signedIn = await LocalSignIn.SignInAsync(browser, "homebody", "Homebody-pass-1", returnUrl: new Uri(factory.BaseAddress, "/auth/tokens?x=1").ToString());

        signedIn.Address.PathAndQuery.ShouldBe("/auth/tokens?x=1");
        signedIn.Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Registering_and_a_first_external_sign_in_do_not_follow_a_foreign_return_url()
    {
        using var browser = factory.Browser(LocalSignIn.NextAddress());
        var name = "reg" + Guid.NewGuid().ToString("N")[..8];
        var registered = await LocalSignIn.RegisterAsync(browser, name, "?ReturnUrl=" + Uri.EscapeDataString(" //evil.example"));
        registered.Address.ShouldBe(new Uri(factory.BaseAddress, "/"));
        (await factory.FindUserAsync(name)).ShouldNotBeNull();

        using var external = factory.Browser(LocalSignIn.NextAddress());
        factory.Provider.User = new("sub-" + name, "x" + name, "");
        var choose = await OidcFlow.StartAsync(external, returnUrl: " //evil.example");
        var done = await external.SubmitAsync(choose, "external-register", new() { ["Input.UserName"] = "x" + name, ["Input.Email"] = "" });
        done.Address.ShouldBe(new Uri(factory.BaseAddress, "/"));
        external.Visited.ShouldAllBe(u => u.Authority == factory.BaseAddress.Authority || u.Authority == factory.Provider.Authority.Authority);
    }

    [Fact]
    public async Task The_two_factor_pages_do_not_follow_a_foreign_return_url()
    {
        var name = "tfa" + Guid.NewGuid().ToString("N")[..8];
        var code = await factory.EnableTwoFactorAsync(await factory.CreateUserWithPasswordAsync(name, "Second-pass-1"));
        using var browser = factory.Browser(LocalSignIn.NextAddress());

        var second = await LocalSignIn.SignInAsync(browser, name, "Second-pass-1", returnUrl: " //evil.example");
        second.Address.AbsolutePath.ShouldBe("/Account/LoginWith2fa");
        BrowserSession.Hidden(second.Html, "ReturnUrl").ShouldBe(" //evil.example");
        second.Html.ShouldContain("Account/LoginWithRecoveryCode?ReturnUrl=%20%2F%2Fevil.example"); // escaped, not spliced in
        var recovery = await browser.GetAsync("/Account/LoginWithRecoveryCode?ReturnUrl=%20%2F%2Fevil.example");
        var signedIn = await browser.SubmitAsync(recovery, "login-with-recovery-code", new() { ["Input.RecoveryCode"] = code }, follow: false);

        signedIn.Status.ShouldBe(HttpStatusCode.Redirect);
        new Uri(factory.BaseAddress, signedIn.Response.Headers.Location!).ShouldBe(new Uri(factory.BaseAddress, "/"));
        (await browser.FollowAsync(signedIn)).Status.ShouldBe(HttpStatusCode.OK);
        browser.Visited.ShouldAllBe(u => u.Authority == factory.BaseAddress.Authority);
    }

    [Theory]
    [InlineData("//evil.example", "/")]
    [InlineData(" //evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example", "/")]
    [InlineData("/evil.example", "/evil.example")] // a path on this site (a not-found page), not a host
    public async Task Signing_out_with_a_crafted_return_url_stays_on_this_site(string returnUrl, string expected)
    {
        var name = "out" + Guid.NewGuid().ToString("N")[..8];
        await factory.CreateUserWithPasswordAsync(name, "Leaver-pass-1");
        using var browser = factory.Browser(LocalSignIn.NextAddress());
        var signedIn = await LocalSignIn.SignInAsync(browser, name, "Leaver-pass-1", returnUrl: "/auth/tokens");

        var signedOut = await browser.SubmitAsync(signedIn, null, new() { ["returnUrl"] = returnUrl }, action: "/Account/Logout", follow: false);

        signedOut.Status.ShouldBe(HttpStatusCode.Redirect);
        signedOut.Response.Headers.Location!.ToString().ShouldBe(expected);
        (await factory.AuditAsync("signout")).ShouldContain(e => e.UserName == name);
    }
}

internal static class LocalSignIn
{
    private static int lastAddress;

    /// <summary>Another loopback address each call (127.0.1.x, 127.0.2.x, …): another client machine, with its own sign-in limits.</summary>
    public static IPAddress NextAddress()
    {
        var n = Interlocked.Increment(ref lastAddress);
        return new IPAddress([127, 0, (byte)(1 + n / 250), (byte)(1 + n % 250)]);
    }

    public static async Task<BrowserSession.Page> SignInAsync(BrowserSession browser, string name, string password, string returnUrl = "")
    {
        var login = await browser.GetAsync("/Account/Login" + (returnUrl == "" ? "" : $"?ReturnUrl={Uri.EscapeDataString(returnUrl)}"));
        return await browser.SubmitAsync(login, "login", new() { ["Input.Email"] = name, ["Input.Password"] = password });
    }

    /// <summary>The account page's status message (its role="alert" box), or "" without one.</summary>
    public static string Alert(string html)
    {
        var match = System.Text.RegularExpressions.Regex.Match(html, """<div class="alert [^"]*" role="alert">\s*(.*?)\s*</div>""", System.Text.RegularExpressions.RegexOptions.Singleline);
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : "";
    }

    public static Dictionary<string, string> RegisterFields(string name) =>
        new() { ["Input.UserName"] = name, ["Input.Email"] = "", ["Input.Password"] = "Pass-word-1", ["Input.ConfirmPassword"] = "Pass-word-1" };

    public static async Task<BrowserSession.Page> RegisterAsync(BrowserSession browser, string name, string query = "")
    {
        var page = await browser.GetAsync("/Account/Register" + query);
        return await browser.SubmitAsync(page, "register", RegisterFields(name));
    }
}

internal static class OidcFlow
{
    /// <summary>Sign-in page → "Sign in with Test SSO" (or another provider) → provider → callback, up to the page the registry shows next.</summary>
    public static async Task<BrowserSession.Page> StartAsync(BrowserSession browser, string returnUrl = "/auth/tokens",
        string scheme = SignInFactory.Scheme, string displayName = "Test SSO")
    {
        var login = await browser.GetAsync("/Account/Login");
        login.Html.ShouldContain($"Sign in with {displayName}");
        return await browser.SubmitAsync(login, null, new() { ["provider"] = scheme, ["ReturnUrl"] = returnUrl }, action: "/Account/PerformExternalLogin");
    }
}
