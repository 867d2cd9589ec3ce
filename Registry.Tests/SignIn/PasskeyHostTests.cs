namespace Registry.Tests.SignIn;

/// <summary>Issue 12 should-fix: passkeys need a host name, so at an IP address the sign-in page offers none and says why.</summary>
public sealed class PasskeyHostTests(SignInFactory factory) : IClassFixture<SignInFactory>
{
    [Fact]
    public async Task At_an_IP_address_the_passkey_button_is_replaced_by_a_note_and_at_a_host_name_it_is_offered()
    {
        using var byAddress = new BrowserSession(factory.BaseAddress);
        var atIp = await byAddress.GetAsync("/Account/Login");
        atIp.Html.ShouldNotContain("Sign in with a passkey");
        atIp.Html.ShouldContain("Passkeys work only at the registry");

        using var byName = new BrowserSession(new UriBuilder(factory.BaseAddress) { Host = "localhost" }.Uri);
        var atName = await byName.GetAsync("/Account/Login");
        atName.Html.ShouldContain("Sign in with a passkey");
        atName.Html.ShouldNotContain("Passkeys work only");
    }
}
