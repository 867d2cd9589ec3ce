using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Registry.Core;

namespace Registry.Web.Security;

/// <summary>GitHub, GitLab and OpenID Connect sign-in schemes, from <see cref="ExternalSignInOptions"/>; nothing is added for a disabled provider.</summary>
public static class ExternalSignIn
{
    /// <summary>Claim carrying the provider's user name, proposed as the local account's name.</summary>
    public const string ProposedUserNameClaim = "urn:registry:proposed_username";

    public const string GitHubScheme = "GitHub";
    public const string GitLabScheme = "GitLab";

    public static IServiceCollection AddExternalSignIn(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(Marker))) return services; // schemes can be added only once
        services.AddSingleton<Marker>();
        var section = configuration.GetSection(ExternalSignInOptions.SectionName);
        services.AddOptions<ExternalSignInOptions>().Bind(section).Validate(o => Problems(o).Count == 0, "ExternalSignIn is invalid").ValidateOnStart();
        var options = section.Get<ExternalSignInOptions>() ?? new ExternalSignInOptions();
        // Schemes are fixed at startup, so a broken provider is reported now rather than at the first click.
        if (Problems(options) is { Count: > 0 } problems) throw new InvalidOperationException(string.Join("; ", problems));

        var auth = services.AddAuthentication(); // the same builder Program's AddAuthentication returned
        if (options.GitHub is { Enabled: true } github)
        {
            var site = github.BaseUrl.TrimEnd('/');
            AddOAuth(auth, GitHubScheme, github, new OAuthSite("/signin-github", ["read:user"], $"{site}/login/oauth/authorize",
                $"{site}/login/oauth/access_token", $"{github.ApiUrl.TrimEnd('/')}/user", UserNameKey: "login"));
        }
        if (options.GitLab is { Enabled: true } gitlab)
        {
            var site = gitlab.BaseUrl.TrimEnd('/'); // gitlab.com or a self-hosted instance
            AddOAuth(auth, GitLabScheme, gitlab, new OAuthSite("/signin-gitlab", ["read_user"], $"{site}/oauth/authorize",
                $"{site}/oauth/token", $"{site}/api/v4/user", UserNameKey: "username"));
        }
        foreach (var (key, provider) in options.OpenIdConnect.Where(p => p.Value.Enabled))
            auth.AddOpenIdConnect(key, Or(provider.DisplayName, key), o => OpenIdConnect(o, key, provider));
        return services;
    }

    /// <summary>Where an OAuth provider's endpoints are and which member of its user JSON is the user name.</summary>
    private sealed record OAuthSite(string CallbackPath, string[] DefaultScopes, string AuthorizeUrl, string TokenUrl, string UserUrl, string UserNameKey);

    private static void AddOAuth(AuthenticationBuilder auth, string scheme, ExternalProviderOptions provider, OAuthSite site) =>
        auth.AddOAuth(scheme, Or(provider.DisplayName, scheme), o =>
        {
            o.AuthorizationEndpoint = site.AuthorizeUrl;
            o.TokenEndpoint = site.TokenUrl;
            o.UserInformationEndpoint = site.UserUrl;
            o.ClaimActions.MapJsonKey(ClaimTypes.NameIdentifier, "id");
            o.ClaimActions.MapJsonKey(ClaimTypes.Name, site.UserNameKey);
            o.ClaimActions.MapJsonKey(ProposedUserNameClaim, site.UserNameKey);
            o.ClaimActions.MapJsonKey(ClaimTypes.Email, "email");
            Common(o, provider, site.CallbackPath, site.DefaultScopes);
        });

    private static void Common(OAuthOptions o, ExternalProviderOptions provider, string callbackPath, string[] defaultScopes)
    {
        o.ClientId = provider.ClientId;
        o.ClientSecret = provider.ClientSecret;
        o.CallbackPath = callbackPath;
        o.UsePkce = true;
        foreach (var scope in provider.Scopes.Count > 0 ? provider.Scopes : [.. defaultScopes]) o.Scope.Add(scope);
        LaxCorrelation(o.CorrelationCookie);
        o.Events.OnRemoteFailure = ShowRemoteFailure;
        o.Events.OnCreatingTicket = async context =>
        {
            // GitHub wants the token in the header (query tokens are deprecated) and a User-Agent.
            using var request = new HttpRequestMessage(HttpMethod.Get, context.Options.UserInformationEndpoint);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.AccessToken);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Registry", "1.0"));
            using var response = await context.Backchannel.SendAsync(request, context.HttpContext.RequestAborted);
            response.EnsureSuccessStatusCode();
            using var user = JsonDocument.Parse(await response.Content.ReadAsStringAsync(context.HttpContext.RequestAborted));
            context.RunClaimActions(user.RootElement);
        };
    }

    private static void OpenIdConnect(OpenIdConnectOptions o, string key, OpenIdConnectSignInOptions provider)
    {
        o.Authority = provider.Authority;
        o.ClientId = provider.ClientId;
        o.ClientSecret = string.IsNullOrEmpty(provider.ClientSecret) ? null : provider.ClientSecret;
        o.RequireHttpsMetadata = provider.RequireHttpsMetadata;
        o.ResponseType = "code"; // authorization code flow with PKCE (UsePkce is on by default)
        // Query rather than form_post: the callback is then a top-level GET, so Lax correlation cookies arrive, on HTTP too.
        o.ResponseMode = "query";
        o.CallbackPath = $"/signin-oidc-{key}";
        o.SignedOutCallbackPath = $"/signout-callback-oidc-{key}";
        o.RemoteSignOutPath = $"/signout-oidc-{key}";
        o.GetClaimsFromUserInfoEndpoint = provider.GetClaimsFromUserInfoEndpoint;
        o.Scope.Clear();
        foreach (var scope in provider.Scopes.Count > 0 ? provider.Scopes : ["openid", "profile", "email"]) o.Scope.Add(scope);
        if (!o.Scope.Contains("openid")) o.Scope.Add("openid");
        LaxCorrelation(o.CorrelationCookie);
        LaxCorrelation(o.NonceCookie);
        o.Events.OnRemoteFailure = ShowRemoteFailure;
        o.Events.OnTicketReceived = context =>
        {
            var principal = context.Principal!;
            var name = principal.FindFirst(provider.UserNameClaim)?.Value ?? principal.FindFirst(ClaimTypes.Name)?.Value;
            if (name is not null && principal.Identity is ClaimsIdentity identity) identity.AddClaim(new Claim(ProposedUserNameClaim, name));
            return Task.CompletedTask;
        };
    }

    // A refused consent, a provider outage or a bad answer would otherwise escape as a 500 (authentication runs before the
    // error page): send the user back to the sign-in page with the reason, and keep the details in the log.
    private static Task ShowRemoteFailure(RemoteFailureContext context)
    {
        context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ExternalSignIn))
            .LogWarning(context.Failure, "external sign-in with {Scheme} failed", context.Scheme.Name);
        var reason = context.Failure?.InnerException?.Message ?? context.Failure?.Message ?? "sign-in failed";
        context.Response.Redirect($"{context.Request.PathBase}/Account/ExternalLogin?RemoteError={Uri.EscapeDataString(reason)}");
        context.HandleResponse();
        return Task.CompletedTask;
    }

    // The handlers' defaults (SameSite=None, Secure always) drop these cookies on a registry served over plain HTTP.
    private static void LaxCorrelation(CookieBuilder cookie)
    {
        cookie.SameSite = SameSiteMode.Lax;
        cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
    }

    private sealed class Marker;

    private static string Or(string value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;

    private static List<string> Problems(ExternalSignInOptions o)
    {
        var problems = new List<string>();
        void Need(ExternalProviderOptions p, string name)
        {
            if (p.Enabled && string.IsNullOrWhiteSpace(p.ClientId)) problems.Add($"ExternalSignIn:{name}:ClientId must be set");
        }
        Need(o.GitHub, "GitHub");
        Need(o.GitLab, "GitLab");
        foreach (var (key, p) in o.OpenIdConnect.Where(p => p.Value.Enabled))
        {
            Need(p, $"OpenIdConnect:{key}");
            if (!Names.IsValid(key) || key is "github" or "gitlab")
                problems.Add($"ExternalSignIn:OpenIdConnect key '{key}' must be {Names.Rule}, and not github or gitlab");
            if (!Uri.TryCreate(p.Authority, UriKind.Absolute, out _)) problems.Add($"ExternalSignIn:OpenIdConnect:{key}:Authority must be an absolute URL");
        }
        return problems;
    }
}
