namespace Registry.Web.Security;

/// <summary>
/// Sign-in with accounts elsewhere, section <c>ExternalSignIn</c>. Every provider is off until <c>Enabled</c> is true.
/// Users signing in this way get a local account of their own; an existing account is never taken over by e-mail.
/// </summary>
public sealed class ExternalSignInOptions
{
    public const string SectionName = "ExternalSignIn";

    /// <summary>GitHub (or GitHub Enterprise) OAuth app; callback URL <c>https://your.registry/signin-github</c>.</summary>
    public GitHubSignInOptions GitHub { get; set; } = new();

    /// <summary>GitLab (gitlab.com or self-hosted) OAuth application; callback URL <c>https://your.registry/signin-gitlab</c>.</summary>
    public GitLabSignInOptions GitLab { get; set; } = new();

    /// <summary>
    /// OpenID Connect providers (Keycloak, an institution's SSO…) by key, e.g. <c>"keycloak": { … }</c>. The key is a lowercase
    /// name that identifies the provider for good (linked accounts remember it); callback URL <c>https://your.registry/signin-oidc-KEY</c>.
    /// </summary>
    public Dictionary<string, OpenIdConnectSignInOptions> OpenIdConnect { get; set; } = [];
}

/// <summary>What every provider needs.</summary>
public abstract class ExternalProviderOptions
{
    /// <summary>Shows the provider's button on the sign-in page.</summary>
    public bool Enabled { get; set; }

    /// <summary>Client (application) id registered with the provider.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Client secret registered with the provider (better set through the environment, e.g. <c>ExternalSignIn__GitHub__ClientSecret</c>).</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Button text: "Sign in with …".</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>Scopes asked for; empty = the provider's defaults listed for each provider.</summary>
    public List<string> Scopes { get; set; } = [];
}

public sealed class GitHubSignInOptions : ExternalProviderOptions
{
    /// <summary>Web address of GitHub; a GitHub Enterprise server's address instead.</summary>
    public string BaseUrl { get; set; } = "https://github.com";

    /// <summary>API address: <c>https://api.github.com</c>, or <c>https://HOST/api/v3</c> for GitHub Enterprise.</summary>
    public string ApiUrl { get; set; } = "https://api.github.com";
}

public sealed class GitLabSignInOptions : ExternalProviderOptions
{
    /// <summary>Address of the GitLab instance: gitlab.com or a self-hosted one (e.g. <c>https://gitlab.example.edu</c>).</summary>
    public string BaseUrl { get; set; } = "https://gitlab.com";
}

public sealed class OpenIdConnectSignInOptions : ExternalProviderOptions
{
    /// <summary>Issuer address; its <c>/.well-known/openid-configuration</c> is read at first use (Keycloak: <c>https://HOST/realms/REALM</c>).</summary>
    public string Authority { get; set; } = "";

    /// <summary>Refuse an Authority reached over plain HTTP. Turn off only for a provider on the same machine.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Claim whose value is proposed as the new account's user name (the user may change it).</summary>
    public string UserNameClaim { get; set; } = "preferred_username";

    /// <summary>Also ask the user-info endpoint for claims (when the ID token carries too few).</summary>
    public bool GetClaimsFromUserInfoEndpoint { get; set; }
}
