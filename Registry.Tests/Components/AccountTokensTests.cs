using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Web.Components.Pages.Tokens;

namespace Registry.Tests.Components;

public sealed class AccountTokensTests : RegistryTestContext
{
    [Fact]
    public async Task Enter_on_an_empty_name_says_what_is_missing_and_creates_nothing()
    {
        var alice = await Db.AddUserAsync("alice");
        SignIn(alice);
        RenderProviders();

        var page = Render<Tokens>();
        page.WaitForAssertion(() => page.Markup.ShouldContain("No tokens yet."));
        page.Find("form").Submit();

        page.WaitForAssertion(() => page.Markup.ShouldContain("Give the token a name"));
        page.Markup.ShouldContain("No tokens yet.");
        page.FindAll("[data-testid=new-token]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Creating_a_token_shows_the_secret_once_and_lists_it()
    {
        var alice = await Db.AddUserAsync("alice");
        SignIn(alice);
        RenderProviders();

        var page = Render<Tokens>();
        page.WaitForAssertion(() => page.Markup.ShouldContain("No tokens yet."));
        page.Find("input").Input("laptop"); // typed: the name binds without leaving the field
        page.FindAll("button").Single(b => b.TextContent.Contains("Create token")).HasAttribute("disabled").ShouldBeFalse();
        page.Find("form").Submit();

        page.WaitForAssertion(() => page.Find("[data-testid=new-token]").TextContent.ShouldContain("it will not be shown again"));
        var secret = page.Find(".token-secret").TextContent;
        secret.ShouldStartWith(AccessTokenService.Prefix);
        // The whole set-up, in order: a plain-http registry needs --insecure.
        page.FindAll("[data-testid=remote-setup] code").Select(c => c.TextContent).ShouldBe([
            "apptainer remote add --insecure registry http://localhost",
            "apptainer remote login registry",
            "apptainer remote use registry",
            "apptainer push image.sif library://alice/collection/container:1.0"]);
        // Ready to copy for sregistry-cli: ~/.sregistry with this registry's URL, the user and the token.
        var config = System.Text.Json.Nodes.JsonNode.Parse(page.Find(".sregistry-config").TextContent)!["registry"]!;
        (config["username"]!.GetValue<string>(), config["token"]!.GetValue<string>()).ShouldBe(("alice", secret));
        config["base"]!.GetValue<string>().ShouldBe(Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().BaseUri.TrimEnd('/'));
        page.Find("[data-testid=new-token]").TextContent.ShouldContain("apptainer remote login registry");
        page.Find("tbody").TextContent.ShouldContain("laptop");
        // The form is ready for the next token: empty name, and no "Required" nagging about the field just cleared.
        page.Find("input").GetAttribute("value").ShouldBeNullOrEmpty();
        page.FindAll(".mud-input-helper-text.mud-input-error").ShouldBeEmpty();
        page.FindAll(".mud-input-helper-text").Select(h => h.TextContent).ShouldNotContain("Required");

        var stored = await Services.GetRequiredService<AccessTokenService>().AuthenticateAsync(secret, "");
        stored.ShouldNotBeNull().Actor.Scope.ShouldBe(TokenScope.Write);

        var again = Render<Tokens>();
        again.WaitForAssertion(() => again.Find("tbody").TextContent.ShouldContain("laptop"));
        again.Markup.ShouldNotContain(secret);
    }

    [Fact]
    public async Task Revoking_asks_first_then_removes_the_token_and_it_stops_working()
    {
        var alice = await Db.AddUserAsync("alice");
        var created = await Services.GetRequiredService<AccessTokenService>().CreateAsync(alice, alice.UserId!, "ci", TokenScope.Read);
        SignIn(alice);
        var dialogs = RenderProviders();

        var page = Render<Tokens>();
        page.WaitForAssertion(() => page.Find("tbody").TextContent.ShouldContain("ci"));
        page.Find("button[aria-label='Revoke ci']").Click();
        Answer(dialogs, "Revoke ci?", "Cancel");
        page.Find("tbody").TextContent.ShouldContain("ci");
        (await Services.GetRequiredService<AccessTokenService>().ListAsync(alice.UserId!)).ShouldHaveSingleItem();

        page.Find("button[aria-label='Revoke ci']").Click();
        Answer(dialogs, "Revoke ci?", "Revoke");

        page.WaitForAssertion(() => page.Markup.ShouldContain("No tokens yet."));
        (await Services.GetRequiredService<AccessTokenService>().AuthenticateAsync(created.Value!.Secret, "")).ShouldBeNull();
    }

    [Fact]
    public async Task Tokens_cannot_be_created_before_agreeing_to_the_terms()
    {
        AccountOptions.CurrentValue = new AccountOptions { TermsVersion = 1, TermsText = "Be nice." };
        SignIn(await Db.AddUserAsync("alice"));
        RenderProviders();

        var page = Render<Tokens>();

        page.WaitForAssertion(() => page.Markup.ShouldContain("before creating tokens"));
        page.FindAll("button").ShouldNotContain(b => b.TextContent.Contains("Create token"));
    }
}
