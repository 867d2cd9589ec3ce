using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Teams;

namespace Registry.Tests.SignIn;

public sealed class ClosedRegistrationFactory() : SignInFactory(new() { ["Accounts:Registration"] = "Closed" });

public sealed class InviteOnlyFactory() : SignInFactory(new() { ["Accounts:Registration"] = "InviteOnly" });

public sealed class SignInLimitFactory() : SignInFactory(new() { ["RateLimits:SignInPerAddressPerMinute"] = "3" });

public sealed class AccountSignInLimitFactory()
    : SignInFactory(new() { ["RateLimits:SignInPerAddressPerMinute"] = "100", ["RateLimits:SignInPerAccountPerMinute"] = "3" });

/// <summary>A closed registry takes its first account (the admin), then no one: not by password, not through a provider.</summary>
public sealed class ClosedRegistrationTests(ClosedRegistrationFactory factory) : IClassFixture<ClosedRegistrationFactory>
{
    [Fact]
    public async Task Only_the_first_account_registers()
    {
        using var browser = factory.Browser();
        var first = await LocalSignIn.RegisterAsync(browser, "root");
        first.Address.AbsolutePath.ShouldBe("/");
        (await factory.FindUserAsync("root")).ShouldNotBeNull().IsAdmin.ShouldBeTrue(); // the first account is the admin

        using var stranger = factory.Browser();
        var page = await stranger.GetAsync("/Account/Register");
        page.Html.ShouldContain("Registration is closed on this registry. Ask an administrator for an account.");
        page.Html.ShouldNotContain("name=\"Input.Password\"");
        // Posting the form anyway (with a token from the sign-in page) creates nothing.
        var login = await stranger.GetAsync("/Account/Login");
        await stranger.SubmitAsync(login, "register", LocalSignIn.RegisterFields("mallory"), action: "/Account/Register");
        (await factory.FindUserAsync("mallory")).ShouldBeNull();

        factory.Provider.User = new("sub-mallory", "mallory", "mallory@example.edu");
        var external = await OidcFlow.StartAsync(stranger);
        external.Address.AbsolutePath.ShouldBe("/Account/ExternalLogin");
        external.Html.ShouldContain("Registration is closed on this registry.");
        external.Html.ShouldNotContain("name=\"Input.UserName\"");
        (await factory.FindUserAsync("mallory")).ShouldBeNull();
    }
}

/// <summary>An invite-only registry registers only holders of a valid team invite link.</summary>
public sealed class InviteOnlyRegistrationTests(InviteOnlyFactory factory) : IClassFixture<InviteOnlyFactory>
{
    [Fact]
    public async Task Registration_needs_an_invite_for_password_and_provider_accounts_alike()
    {
        var owner = await factory.CreateUserWithPasswordAsync("owner", "Owner-pass-1");
        var actor = Actor.ForUser(owner.Id, "owner", false);
        var teams = factory.Services.GetRequiredService<TeamService>();
        (await teams.CreateAsync(actor, "lab", "", isOpen: false)).Succeeded.ShouldBeTrue();
        var code = (await teams.CreateInviteAsync(actor, "lab")).Value!;

        using var browser = factory.Browser();
        (await browser.GetAsync("/Account/Register")).Html.ShouldContain("This registry is invite-only");
        factory.Provider.User = new("sub-erin", "erin", "erin@example.edu");
        (await OidcFlow.StartAsync(browser)).Html.ShouldContain("This registry is invite-only");

        var withInvite = await LocalSignIn.RegisterAsync(browser, "erin", $"?Invite={Uri.EscapeDataString("lab/" + code)}");
        withInvite.Address.AbsolutePath.ShouldBe("/teams/lab");
        (await teams.FindAsync("lab"))!.Members.Select(m => m.User?.UserName ?? m.UserId).Count().ShouldBe(2);
        (await factory.FindUserAsync("erin")).ShouldNotBeNull();
        (await teams.CheckInviteAsync("lab", code)).ShouldNotBe(InviteStatus.Valid); // single use
    }
}

/// <summary>
/// Wrong passwords never lock an account (anyone could lock anyone out that way), and an unknown name, a disabled account and a
/// wrong password answer alike: the same status, page and message, and about the same time.
/// </summary>
public sealed class LockoutTests(SignInFactory factory) : IClassFixture<SignInFactory>
{
    [Fact]
    public async Task Wrong_passwords_from_one_address_do_not_lock_the_account_for_another_and_each_attempt_is_audited()
    {
        await factory.CreateUserWithPasswordAsync("dave", "Dave-pass-1");
        using var attacker = factory.Browser(LocalSignIn.NextAddress());

        for (var i = 0; i < 6; i++)
        {
            var failed = await LocalSignIn.SignInAsync(attacker, "dave", "wrong-Pass-1");
            failed.Address.AbsolutePath.ShouldBe("/Account/Login");
            failed.Html.ShouldContain("Error: Invalid login attempt.");
        }
        using var dave = factory.Browser(LocalSignIn.NextAddress());
        (await LocalSignIn.SignInAsync(dave, "dave", "Dave-pass-1")).Address.AbsolutePath.ShouldBe("/");

        (await factory.FindUserAsync("dave"))!.LockoutEnd.ShouldBeNull();
        (await factory.AuditAsync("signin.failed")).Count(e => e.UserName == "dave").ShouldBe(6);
        (await factory.AuditAsync("signin.lockedout")).ShouldNotContain(e => e.UserName == "dave");
        (await factory.AuditAsync("signin")).ShouldContain(e => e.UserName == "dave");
    }

    [Fact]
    public async Task An_unknown_name_a_disabled_account_and_a_wrong_password_answer_alike()
    {
        await factory.CreateUserWithPasswordAsync("ivy", "Ivy-pass-1");
        await factory.CreateUserWithPasswordAsync("jack", "Jack-pass-1");
        await factory.DisableAsync("jack");

        async Task<List<(System.Net.HttpStatusCode, string, string)>> AnswersAsync(string name)
        {
            using var browser = factory.Browser(LocalSignIn.NextAddress());
            var answers = new List<(System.Net.HttpStatusCode, string, string)>();
            for (var i = 0; i < 6; i++) // past Identity's five failures: no account reaches the lock-out page
            {
                var page = await LocalSignIn.SignInAsync(browser, name, "Wrong-pass-1");
                answers.Add((page.Status, page.Address.AbsolutePath, LocalSignIn.Alert(page.Html)));
            }
            return answers;
        }

        var wrong = await AnswersAsync("ivy");
        wrong.Distinct().ShouldBe([(HttpStatusCode.OK, "/Account/Login", "Error: Invalid login attempt.")]);
        (await AnswersAsync("nosuch")).ShouldBe(wrong);
        (await AnswersAsync("nosuch@example.edu")).ShouldBe(wrong);
        (await AnswersAsync("jack")).ShouldBe(wrong);
        (await factory.AuditAsync("signin.refused")).ShouldNotContain(e => e.UserName == "jack");

        // Only the right password learns that the account is disabled; it still does not sign in.
        using var owner = factory.Browser(LocalSignIn.NextAddress());
        var refused = await LocalSignIn.SignInAsync(owner, "jack", "Jack-pass-1");
        LocalSignIn.Alert(refused.Html).ShouldBe("Error: This account is disabled.");
        (await factory.AuditAsync("signin")).ShouldNotContain(e => e.UserName == "jack");
    }

    [Fact]
    public async Task An_unknown_name_takes_about_as_long_to_refuse_as_a_wrong_password()
    {
        // One real account per attempt, so that no limit or lock-out of any version can shorten the real ones' answers.
        for (var i = 0; i <= 15; i++) await factory.CreateUserWithPasswordAsync($"kim{i}", "Kim-pass-1");
        async Task<long> TimeAsync(string name)
        {
            using var browser = factory.Browser(LocalSignIn.NextAddress());
            var login = await browser.GetAsync("/Account/Login");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var page = await browser.SubmitAsync(login, "login", new() { ["Input.Email"] = name, ["Input.Password"] = "Wrong-pass-1" });
            clock.Stop();
            LocalSignIn.Alert(page.Html).ShouldBe("Error: Invalid login attempt.");
            return clock.ElapsedTicks;
        }

        await TimeAsync("kim15"); await TimeAsync("nobody-warm"); // warm-up: first requests compile and cache
        var real = new List<long>();
        var unknown = new List<long>();
        for (var i = 0; i < 15; i++) // interleaved, so load on a shared machine hits both alike
        {
            real.Add(await TimeAsync($"kim{i}"));
            unknown.Add(await TimeAsync($"nobody{i}"));
        }

        // Medians and a generous factor: robust on a loaded machine, yet far from the old 9-33 ms against 59-170 ms.
        static double Median(List<long> ticks) => ticks.Order().ElementAt(ticks.Count / 2);
        Median(unknown).ShouldBeGreaterThan(Median(real) / 3, $"unknown {Median(unknown)} ticks, real {Median(real)} ticks");
        Median(unknown).ShouldBeLessThan(Median(real) * 3, $"unknown {Median(unknown)} ticks, real {Median(real)} ticks");
    }

    [Fact]
    public async Task A_good_password_signs_in_and_signing_out_is_audited()
    {
        await factory.CreateUserWithPasswordAsync("frank", "Frank-pass-1");
        using var browser = factory.Browser();

        var signedIn = await LocalSignIn.SignInAsync(browser, "frank", "Frank-pass-1", returnUrl: "/auth/tokens");
        signedIn.Address.AbsolutePath.ShouldBe("/auth/tokens");
        signedIn.Status.ShouldBe(HttpStatusCode.OK);
        (await factory.AuditAsync("signin")).Last().ShouldSatisfyAllConditions(e => e.UserName.ShouldBe("frank"), e => e.Detail.ShouldBe("password"));

        await browser.SubmitAsync(signedIn, null, new() { ["returnUrl"] = "" }, action: "/Account/Logout");
        (await factory.AuditAsync("signout")).Last().UserName.ShouldBe("frank");
        (await browser.GetAsync("/auth/tokens", follow: false)).Status.ShouldBe(HttpStatusCode.Redirect);
    }
}

/// <summary>Sign-in attempts are limited per address: 429 with Retry-After.</summary>
public sealed class SignInRateLimitTests(SignInLimitFactory factory) : IClassFixture<SignInLimitFactory>
{
    [Fact]
    public async Task Too_many_sign_in_attempts_from_one_address_get_429_with_retry_after()
    {
        using var browser = factory.Browser();
        for (var i = 0; i < 3; i++) (await LocalSignIn.SignInAsync(browser, "nobody", "Wrong-pass-1")).Status.ShouldBe(HttpStatusCode.OK);

        var refused = await LocalSignIn.SignInAsync(browser, "nobody", "Wrong-pass-1");

        refused.Status.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Response.Headers.RetryAfter.ShouldNotBeNull().Delta.ShouldNotBeNull().TotalSeconds.ShouldBeInRange(1, 60);
        refused.Html.ShouldStartWith("too many requests; retry in ");
        (await browser.GetAsync("/Account/Login")).Status.ShouldBe(HttpStatusCode.OK); // reading the page is not an attempt
    }
}

/// <summary>
/// Sign-in attempts on one account are limited per address too (guessing one password from an address that spreads its
/// attempts over many names is slowed as well), but an attacker who uses up that budget does not lock the owner out.
/// </summary>
public sealed class AccountSignInRateLimitTests(AccountSignInLimitFactory factory) : IClassFixture<AccountSignInLimitFactory>
{
    [Fact]
    public async Task Attempts_on_one_account_from_one_address_share_a_limit_that_neither_blocks_the_owner_elsewhere_nor_tells_names_apart()
    {
        await factory.CreateUserWithPasswordAsync("carol", "Carol-pass-1");
        await factory.CreateUserWithPasswordAsync("erik", "Erik-pass-1");
        using var attacker = factory.Browser(LocalSignIn.NextAddress());
        for (var i = 0; i < 2; i++) (await LocalSignIn.SignInAsync(attacker, "carol", "Wrong-pass-1")).Status.ShouldBe(HttpStatusCode.OK);
        (await LocalSignIn.SignInAsync(attacker, "CAROL", "Wrong-pass-1")).Status.ShouldBe(HttpStatusCode.OK); // the same account, however cased

        var refused = await LocalSignIn.SignInAsync(attacker, "carol", "Carol-pass-1");

        refused.Status.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Response.Headers.RetryAfter.ShouldNotBeNull().Delta.ShouldNotBeNull().TotalSeconds.ShouldBeInRange(1, 60);
        refused.Html.ShouldStartWith("too many requests; retry in ");
        (await factory.AuditAsync("signin")).ShouldNotContain(e => e.UserName == "carol"); // the right password did not get through from there

        // The owner, from another address, signs in with the right password at once.
        using var carol = factory.Browser(LocalSignIn.NextAddress());
        (await LocalSignIn.SignInAsync(carol, "carol", "Carol-pass-1")).Address.AbsolutePath.ShouldBe("/");
        (await factory.AuditAsync("signin")).ShouldContain(e => e.UserName == "carol");

        // A name that does not exist is limited alike; other accounts from the attacker's address are not.
        for (var i = 0; i < 3; i++) (await LocalSignIn.SignInAsync(attacker, "nosuch", "Wrong-pass-1")).Status.ShouldBe(HttpStatusCode.OK);
        var unknown = await LocalSignIn.SignInAsync(attacker, "nosuch", "Wrong-pass-1");
        (unknown.Status, unknown.Html[..26]).ShouldBe((refused.Status, refused.Html[..26]));
        (await LocalSignIn.SignInAsync(attacker, "erik", "Erik-pass-1")).Address.AbsolutePath.ShouldBe("/");
    }
}

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
