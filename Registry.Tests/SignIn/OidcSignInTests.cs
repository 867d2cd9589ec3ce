using System.Net;

namespace Registry.Tests.SignIn;

/// <summary>Sign-in through a real OpenID Connect provider: a local account is created on first use, never merged by e-mail.</summary>
public sealed class OidcSignInTests(SignInFactory factory) : IClassFixture<SignInFactory>
{
    [Fact]
    public async Task First_sign_in_creates_a_local_account_with_the_proposed_name_and_later_ones_sign_straight_in()
    {
        factory.Provider.User = new("sub-alice", "Alice.Example", "alice@example.edu");
        using var browser = factory.Browser();
        (await browser.GetAsync("/auth/tokens", follow: false)).Status.ShouldBe(HttpStatusCode.Redirect); // not signed in yet

        var choose = await OidcFlow.StartAsync(browser);

        choose.Address.AbsolutePath.ShouldBe("/Account/ExternalLogin");
        choose.Html.ShouldContain("You signed in with <strong>Test SSO</strong>");
        BrowserSession.Hidden(choose.Html, "Input.UserName").ShouldBe("alice.example");
        BrowserSession.Hidden(choose.Html, "Input.Email").ShouldBe("alice@example.edu");
        browser.Visited.ShouldContain(u => u.Authority == factory.Provider.Authority.Authority && u.AbsolutePath == "/connect/authorize");

        var done = await browser.SubmitAsync(choose, "external-register", new() { ["Input.UserName"] = "alice.example", ["Input.Email"] = "alice@example.edu" });

        done.Status.ShouldBe(HttpStatusCode.OK);
        done.Address.AbsolutePath.ShouldBe("/auth/tokens");
        var alice = (await factory.FindUserAsync("alice.example")).ShouldNotBeNull();
        (await factory.LoginsOfAsync(alice)).Select(l => (l.LoginProvider, l.ProviderKey)).ShouldBe([(SignInFactory.Scheme, "sub-alice")]);
        var signIn = (await factory.AuditAsync("signin")).Last();
        (signIn.UserName, signIn.Detail, signIn.Address).ShouldBe(("alice.example", "external:testidp new account", "127.0.0.1"));

        // A new browser, the same provider account: signed in at once, no form.
        using var again = factory.Browser();
        var authorizations = factory.Provider.Authorizations;
        var back = await OidcFlow.StartAsync(again);
        back.Address.AbsolutePath.ShouldBe("/auth/tokens");
        back.Status.ShouldBe(HttpStatusCode.OK);
        factory.Provider.Authorizations.ShouldBe(authorizations + 1);
        (await factory.AuditAsync("signin")).Last().Detail.ShouldBe("external:testidp");
    }

    [Fact]
    public async Task A_taken_name_offers_a_choice_and_never_merges_with_the_account_that_has_the_same_email()
    {
        var bob = await factory.CreateUserWithPasswordAsync("bob", "Bob-pass-1", "bob@example.edu");
        factory.Provider.User = new("sub-bob", "bob", "bob@example.edu");
        using var browser = factory.Browser();

        var choose = await OidcFlow.StartAsync(browser);

        choose.Address.AbsolutePath.ShouldBe("/Account/ExternalLogin");
        choose.Html.ShouldContain("id=\"name-taken\"");
        choose.Html.ShouldContain("The name <strong>bob</strong> is already taken on this registry. Either choose another name below");
        choose.Html.ShouldContain("href=\"Account/Manage/ExternalLogins\"");

        // Insisting on the taken name is refused, and bob's account stays bob's alone.
        var refused = await browser.SubmitAsync(choose, "external-register", new() { ["Input.UserName"] = "bob", ["Input.Email"] = "bob@example.edu" });
        refused.Address.AbsolutePath.ShouldBe("/Account/ExternalLogin");
        refused.Html.ShouldContain("The name &#x27;bob&#x27; is already taken.");
        (await factory.LoginsOfAsync(bob)).ShouldBeEmpty();

        var done = await browser.SubmitAsync(refused, "external-register", new() { ["Input.UserName"] = "bob-sso", ["Input.Email"] = "" });
        done.Address.AbsolutePath.ShouldBe("/auth/tokens");
        var bobSso = (await factory.FindUserAsync("bob-sso")).ShouldNotBeNull();
        bobSso.Id.ShouldNotBe(bob.Id);
        (await factory.LoginsOfAsync(bobSso)).Single().ProviderKey.ShouldBe("sub-bob");
        (await factory.LoginsOfAsync(bob)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_provider_name_that_breaks_the_name_rule_is_turned_into_a_valid_proposal()
    {
        factory.Provider.User = new("sub-carol", "Carol  O'Neil", "carol@example.edu");
        using var browser = factory.Browser();

        var choose = await OidcFlow.StartAsync(browser);

        BrowserSession.Hidden(choose.Html, "Input.UserName").ShouldBe("carol-o-neil");
        var refused = await browser.SubmitAsync(choose, "external-register", new() { ["Input.UserName"] = "Carol O'Neil" });
        refused.Address.AbsolutePath.ShouldBe("/Account/ExternalLogin");
        refused.Html.ShouldContain("User name must be lowercase letters and digits");
        (await factory.FindUserAsync("carol o'neil")).ShouldBeNull();
    }
}
