using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Identity;

namespace Registry.Tests.SignIn;

/// <summary>Password change, e-mail addresses, antiforgery on the account forms and the security headers, over real HTTP.</summary>
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

    [Theory]
    [InlineData("lena@example.edu")]
    [InlineData("nobody-here@example.edu")]
    public async Task No_page_tells_whether_an_address_is_registered_or_hands_out_its_confirmation_link(string email)
    {
        var lena = await factory.CreateUserWithPasswordAsync("lena" + Guid.NewGuid().ToString("N")[..6], "Lena-pass-1", email == "lena@example.edu" ? email : null);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = factory.BaseAddress };

        var page = await http.GetAsync("/Account/RegisterConfirmation?email=" + Uri.EscapeDataString(email));

        page.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldNotContain(lena.Id);
        html.ShouldNotContain("ConfirmEmail");
    }

    [Fact]
    public async Task Two_accounts_with_one_address_from_an_older_database_break_nothing_and_no_account_can_take_an_address_again()
    {
        var mona = await factory.CreateUserWithPasswordAsync("mona", "Mona-pass-1", "shared@example.edu");
        await factory.CreateUserWithPasswordAsync("nils", "Nils-pass-1");
        await factory.SetEmailInDatabaseAsync("nils", "Shared@example.edu"); // as a database from before the rule holds them
        using var browser = factory.Browser(LocalSignIn.NextAddress());

        var byAddress = await LocalSignIn.SignInAsync(browser, "shared@example.edu", "Mona-pass-1");
        (byAddress.Status, LocalSignIn.Alert(byAddress.Html)).ShouldBe((HttpStatusCode.OK, "Error: Invalid login attempt.")); // it names no one
        (await LocalSignIn.SignInAsync(browser, "nils", "Nils-pass-1")).Address.AbsolutePath.ShouldBe("/");

        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
        var stored = (await users.FindByIdAsync(mona.Id))!;
        stored.IsAdmin = true;
        (await users.UpdateAsync(stored)).Succeeded.ShouldBeTrue(); // an account keeps the address it already shares
        var olga = await factory.CreateUserWithPasswordAsync("olga", "Olga-pass-1", "olga@example.edu");
        var taken = await users.SetEmailAsync((await users.FindByIdAsync(olga.Id))!, "SHARED@example.edu");
        taken.Errors.Select(e => e.Code).ShouldBe(["DuplicateEmail"]);
        (await users.FindByEmailAsync("olga@example.edu")).ShouldNotBeNull().UserName.ShouldBe("olga");
    }

    [Fact]
    public async Task Registering_with_an_address_another_account_has_is_refused_and_with_a_new_one_signs_in()
    {
        await factory.CreateUserWithPasswordAsync("petra", "Petra-pass-1", "petra@example.edu");
        using var browser = factory.Browser(LocalSignIn.NextAddress());
        var page = await browser.GetAsync("/Account/Register?ReturnUrl=%2Fauth%2Ftokens");

        var refused = await browser.SubmitAsync(page, "register", new(LocalSignIn.RegisterFields("quinn")) { ["Input.Email"] = "PETRA@example.edu" });

        refused.Address.AbsolutePath.ShouldBe("/Account/Register");
        LocalSignIn.Alert(refused.Html).ShouldContain("is already taken");
        (await factory.FindUserAsync("quinn")).ShouldBeNull();
        var registered = await browser.SubmitAsync(refused, "register", new(LocalSignIn.RegisterFields("quinn")) { ["Input.Email"] = "quinn@example.edu" });
        registered.Address.AbsolutePath.ShouldBe("/auth/tokens");
        registered.Status.ShouldBe(HttpStatusCode.OK);
        (await factory.FindUserAsync("quinn")).ShouldNotBeNull().Email.ShouldBe("quinn@example.edu");
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
