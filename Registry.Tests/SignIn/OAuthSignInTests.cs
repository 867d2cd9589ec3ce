using System.Net;

namespace Registry.Tests.SignIn;

/// <summary>
/// GitHub and GitLab sign-in, against a real OAuth 2 authorization server that answers on their paths and user
/// endpoints (see <see cref="TestOidcProvider"/>): the registry's endpoints, PKCE, token exchange and user lookup all run.
/// </summary>
public sealed class OAuthSignInTests(SignInFactory factory) : IClassFixture<SignInFactory>
{
    [Theory]
    [InlineData("GitHub", "Test GitHub", "sub-gh-dora", "Dora", "dora")]
    [InlineData("GitLab", "Lab GitLab", "sub-gl-eve", "eve.lab", "eve.lab")]
    public async Task First_sign_in_proposes_the_provider_login_and_links_the_new_account(
        string scheme, string displayName, string subject, string providerLogin, string proposed)
    {
        factory.Provider.User = new(subject, providerLogin, $"{proposed}@example.edu");
        using var browser = factory.Browser();

        var choose = await OidcFlow.StartAsync(browser, scheme: scheme, displayName: displayName);

        choose.Address.AbsolutePath.ShouldBe("/Account/ExternalLogin");
        choose.Html.ShouldContain($"You signed in with <strong>{displayName}</strong>");
        BrowserSession.Hidden(choose.Html, "Input.UserName").ShouldBe(proposed);
        BrowserSession.Hidden(choose.Html, "Input.Email").ShouldBe($"{proposed}@example.edu");
        browser.Visited.ShouldContain(u => u.Authority == factory.Provider.Authority.Authority
                                           && u.AbsolutePath == (scheme == "GitHub" ? "/login/oauth/authorize" : "/oauth/authorize"));

        var done = await browser.SubmitAsync(choose, "external-register", new() { ["Input.UserName"] = proposed, ["Input.Email"] = "" });

        done.Status.ShouldBe(HttpStatusCode.OK);
        done.Address.AbsolutePath.ShouldBe("/auth/tokens");
        var user = (await factory.FindUserAsync(proposed)).ShouldNotBeNull();
        (await factory.LoginsOfAsync(user)).Select(l => (l.LoginProvider, l.ProviderKey)).ShouldBe([(scheme, subject)]);
        (await factory.AuditAsync("signin")).Last().Detail.ShouldBe($"external:{scheme} new account");
    }

    [Theory]
    [InlineData("GitLab", "Lab GitLab")]
    [InlineData(SignInFactory.Scheme, "Test SSO")]
    public async Task A_provider_that_refuses_leads_back_to_the_sign_in_page_with_the_reason(string scheme, string displayName)
    {
        factory.Provider.User = null;
        try
        {
            using var browser = factory.Browser();
            var users = await factory.UserCountAsync();

            var back = await OidcFlow.StartAsync(browser, scheme: scheme, displayName: displayName);

            back.Status.ShouldBe(HttpStatusCode.OK);
            back.Address.AbsolutePath.ShouldBe("/Account/Login");
            back.Html.ShouldContain("Error from external provider:");
            (await factory.UserCountAsync()).ShouldBe(users);
        }
        finally
        {
            factory.Provider.User = new("sub-alice", "Alice.Example", "alice@example.edu");
        }
    }
}
