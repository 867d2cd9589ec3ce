using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Browser;

/// <summary>
/// Issue 12 must-fix 6, clicked from the home page: a newcomer who forgot a password is told an admin resets it (no mail
/// is sent); an admin resets it on /admin, sees the new password once, and the user's open page is signed out at once.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PasswordResetTests(BrowserFixture fx)
{
    private static PageGetByRoleOptions Named(string name) => new() { Name = name, Exact = true };

    [Fact]
    public async Task Forgot_password_says_an_admin_resets_it_and_the_admins_reset_signs_the_user_out_and_in_with_the_new_one()
    {
        var adminPassword = await CreateAsync("resetroot", admin: true);
        var oldPassword = await CreateAsync("forgetful", admin: false);

        // A newcomer follows "Forgot your password?" and then "Create an account": both say no mail is sent.
        var visitor = await fx.NewPageAsync();
        await visitor.OpenAsync("/");
        await visitor.ClickSignInAsync();
        await visitor.GetByRole(AriaRole.Link, Named("Forgot your password?")).ClickAsync();
        await Expect(visitor.GetByTestId("reset-by-admin")).ToContainTextAsync("This registry sends no e-mail. An administrator resets passwords");
        await Expect(visitor.GetByText("check your email", new() { Exact = false })).ToHaveCountAsync(0);
        await visitor.GetByRole(AriaRole.Link, Named("Back to sign in")).ClickAsync();
        await visitor.GetByRole(AriaRole.Link, Named("Create an account")).ClickAsync();
        await Expect(visitor.GetByText("No e-mail is sent: an admin resets forgotten passwords.")).ToBeVisibleAsync();
        await Expect(visitor.GetByText("password resets", new() { Exact = false })).ToHaveCountAsync(0);

        var user = await fx.NewPageAsync();
        await user.SignInAsync("forgetful", oldPassword);
        await user.WaitForInteractiveAsync();

        var admin = await fx.NewPageAsync();
        await admin.SignInAsync("resetroot", adminPassword);
        await admin.WaitForInteractiveAsync();
        await admin.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Admin", Exact = true }).ClickAsync();
        await admin.GetByPlaceholder("Filter users").FillAsync("forgetful");
        // The filter re-renders the table after a pause: a click before that lands on a row being replaced.
        await Expect(admin.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(admin.Locator("tbody tr")).ToContainTextAsync("forgetful");
        await admin.GetByRole(AriaRole.Button, Named("Reset password of forgetful")).ClickAsync();
        var panel = admin.GetByTestId("password-reset");
        await Expect(panel).ToContainTextAsync("Reset the password of forgetful");
        // Cancel in the confirmation changes nothing; confirming resets (an empty field: a generated password).
        await panel.GetByRole(AriaRole.Button, new() { Name = "Reset password", Exact = true }).ClickAsync();
        var dialog = admin.GetByRole(AriaRole.Dialog);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(admin.GetByTestId("new-password")).ToHaveCountAsync(0);
        await panel.GetByRole(AriaRole.Button, new() { Name = "Reset password", Exact = true }).ClickAsync();
        await Expect(dialog).ToContainTextAsync("Reset the password of forgetful?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Reset", Exact = true }).ClickAsync();
        var shown = admin.GetByTestId("new-password");
        await Expect(shown).ToContainTextAsync("New password for forgetful (shown once");
        var newPassword = (await shown.Locator("code").InnerTextAsync()).Trim();
        newPassword.Length.ShouldBe(23);

        // No click by the user: the open page is signed out within moments.
        await Expect(user.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync(new() { Timeout = 10_000 });

        var again = await fx.NewPageAsync();
        await again.OpenAsync("/");
        await again.ClickSignInAsync();
        await again.GetByLabel("User name or e-mail").FillAsync("forgetful");
        await again.GetByLabel("Password", new() { Exact = true }).FillAsync(oldPassword);
        await again.GetByRole(AriaRole.Button, Named("Sign in")).ClickAsync();
        await Expect(again.GetByText("Invalid login attempt", new() { Exact = false })).ToBeVisibleAsync();
        await again.SignInAsync("forgetful", newPassword);
        await Expect(again.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "forgetful", Exact = true })).ToBeVisibleAsync();
    }

    private async Task<string> CreateAsync(string name, bool admin)
    {
        var password = "Pw-" + Guid.NewGuid().ToString("N") + "-aZ9!";
        await fx.Server.AdminOkAsync(["user", "add", name, "--accept-terms", "--password", password, .. admin ? new[] { "--admin" } : []]);
        return password;
    }
}
