using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Identity;
using Registry.Core.Terms;
using Registry.Web.Components.Pages.Terms;

namespace Registry.Tests.Components;

public sealed class AccountTermsTests : RegistryTestContext
{
    [Fact]
    public async Task Agreeing_records_the_version_and_returns_to_the_page_asked_for()
    {
        AccountOptions.CurrentValue = new AccountOptions { TermsVersion = 3, TermsText = "# Rules\nBe **nice**.\n- no secrets" };
        var alice = await Db.AddUserAsync("alice");
        SignIn(alice);
        RenderProviders();
        var nav = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();

        nav.NavigateTo("terms?returnUrl=%2Fauth%2Ftokens");
        var page = Render<Terms>();
        page.WaitForAssertion(() => page.Find("[data-testid=terms-text]").InnerHtml.ShouldBe("<h3>Rules</h3><p>Be <strong>nice</strong>.</p><ul><li>no secrets</li></ul>"));
        page.FindAll("button").Single(b => b.TextContent.Contains("I agree")).Click();

        page.WaitForAssertion(() => nav.Uri.ShouldEndWith("/auth/tokens"));
        (await Services.GetRequiredService<TermsService>().HasAgreedAsync(alice.UserId!)).ShouldBeTrue();
    }

    [Theory]
    [InlineData("<script>x</script>", "<p>&lt;script&gt;x&lt;/script&gt;</p>")]
    [InlineData("[ok](https://example.org) [bad](javascript:alert(1))", "<p><a href=\"https://example.org\" rel=\"noopener\">ok</a> [bad](javascript:alert(1))</p>")]
    public void Terms_markdown_never_lets_markup_or_script_links_through(string markdown, string html) =>
        TermsMarkdown.ToHtml(markdown).ShouldBe(html);

    [Theory]
    [InlineData("/teams", true)]
    [InlineData("//evil.example", false)]
    [InlineData("https://evil.example", false)]
    [InlineData("/\\evil.example", false)]
    public void Only_local_return_urls_are_followed(string url, bool local) => Registry.Web.Security.LocalUrl.IsLocal(url).ShouldBe(local);
}
