using Registry.Core;

namespace Registry.Tests.SignIn;

/// <summary>Issue 12 should-fix: sign-up's refusals say one thing once, in the registry's own words.</summary>
public sealed class RegisterMessagesTests(SignInFactory factory) : IClassFixture<SignInFactory>
{
    [Fact]
    public async Task A_taken_name_is_said_to_be_taken_once()
    {
        await factory.CreateUserWithPasswordAsync("taken-name", "Taken-pass-1");
        using var browser = factory.Browser(LocalSignIn.NextAddress());

        var refused = await LocalSignIn.RegisterAsync(browser, "taken-name");

        refused.Address.AbsolutePath.ShouldBe("/Account/Register");
        LocalSignIn.Alert(refused.Html).ShouldBe("Error: The name 'taken-name' is already taken.");
    }

    [Theory]
    [InlineData("bad name!")]
    [InlineData("under_score.and-dash..double")]
    public async Task A_bad_name_gets_the_name_rule_alone_not_identitys_letters_or_digits(string name)
    {
        using var browser = factory.Browser(LocalSignIn.NextAddress());

        var refused = await LocalSignIn.RegisterAsync(browser, name);

        refused.Address.AbsolutePath.ShouldBe("/Account/Register");
        LocalSignIn.Alert(refused.Html).ShouldBe($"Error: User name must be {Names.AccountRule}.");
    }
}
