using System.Net;

namespace Registry.Tests.SignIn;

/// <summary>Password change, antiforgery on the account forms and the security headers, over real HTTP.</summary>
public sealed class AccountDefenceTests(SignInFactory factory) : IClassFixture<SignInFactory>
{
    [Fact]
    public async Task Changing_the_password_retires_the_old_one()
    {
        await factory.CreateUserWithPasswordAsync("gina", "Gina-pass-1");
        using var browser = factory.Browser();
        await LocalSignIn.SignInAsync(browser, "gina", "Gina-pass-1");
        var page = await browser.GetAsync("/Account/Manage/ChangePassword");

        var changed = await browser.SubmitAsync(page, "change-password",
            new() { ["Input.OldPassword"] = "Gina-pass-1", ["Input.NewPassword"] = "Gina-pass-2", ["Input.ConfirmPassword"] = "Gina-pass-2" });

        changed.Html.ShouldContain("Your password has been changed");
        using var later = factory.Browser();
        (await LocalSignIn.SignInAsync(later, "gina", "Gina-pass-1")).Html.ShouldContain("Error: Invalid login attempt.");
        (await LocalSignIn.SignInAsync(later, "gina", "Gina-pass-2")).Address.AbsolutePath.ShouldBe("/");
    }

    [Fact]
    public async Task A_sign_in_form_posted_without_its_antiforgery_token_is_refused_and_signs_nobody_in()
    {
        await factory.CreateUserWithPasswordAsync("hank", "Hank-pass-1");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = factory.BaseAddress };

        var forged = await http.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.Email"] = "hank", ["Input.Password"] = "Hank-pass-1",
        }));

        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        forged.Headers.Contains("Set-Cookie").ShouldBeFalse();
        (await factory.AuditAsync("signin")).ShouldNotContain(e => e.UserName == "hank");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/Account/Login")]
    [InlineData("/version")]
    public async Task Pages_and_api_answers_carry_the_security_headers(string path)
    {
        using var http = new HttpClient { BaseAddress = factory.BaseAddress };

        var response = await http.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("frame-ancestors 'none'");
        csp.ShouldContain("default-src 'self'");
        csp.ShouldContain("form-action 'self'");
    }
}
