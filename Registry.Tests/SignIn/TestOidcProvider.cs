using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Registry.Tests.SignIn;

/// <summary>The person the provider signs in (it consents automatically: there is no login page).</summary>
public sealed record ProviderUser(string Subject, string UserName, string Email);

/// <summary>
/// A real OpenID Connect provider (OpenIddict) on 127.0.0.1: authorization code flow with PKCE, one confidential client
/// in a SQLite store, ephemeral signing and encryption keys. It also speaks plain OAuth 2 on the paths and user
/// endpoints of GitHub (<c>/login/oauth/…</c>, <c>/user</c>) and GitLab (<c>/oauth/…</c>, <c>/api/v4/user</c>),
/// so the registry's GitHub and GitLab sign-in run against a real authorization server too.
/// </summary>
public sealed class TestOidcProvider : IAsyncDisposable
{
    public const string ClientId = "registry-test";
    public const string ClientSecret = "registry-test-secret";
    private const string GitHubScope = "read:user", GitLabScope = "read_user";

    private readonly WebApplication app;
    private readonly string folder;

    /// <summary>Who the next authorization request signs in; null: the provider refuses (access_denied).</summary>
    public ProviderUser? User { get; set; } = new("sub-alice", "Alice.Example", "alice@example.edu");

    /// <summary>Authorization requests served, to show the registry really went to the provider.</summary>
    public int Authorizations { get; private set; }

    public Uri Authority => new(app.Urls.First() + "/");

    private TestOidcProvider(WebApplication app, string folder) => (this.app, this.folder) = (app, folder);

    public static TestOidcProvider Start()
    {
        var folder = Directory.CreateTempSubdirectory("registry-oidc-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = folder, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.Services.AddDbContext<ProviderDb>(db => db.UseSqlite($"Data Source={Path.Combine(folder, "provider.db")};Pooling=False").UseOpenIddict());
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<ProviderDb>())
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris("connect/authorize", "login/oauth/authorize", "oauth/authorize")
                    .SetTokenEndpointUris("connect/token", "login/oauth/access_token", "oauth/token");
                server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                server.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, GitHubScope, GitLabScope);
                server.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                server.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer(); // the user endpoints accept only access tokens this server issued
                validation.UseAspNetCore();
            });
        var app = builder.Build();
        app.Urls.Clear();
        app.Urls.Add("http://127.0.0.1:0");
        var provider = new TestOidcProvider(app, folder);
        foreach (var (authorize, token) in new[] { ("/connect/authorize", "/connect/token"), ("/login/oauth/authorize", "/login/oauth/access_token"), ("/oauth/authorize", "/oauth/token") })
        {
            app.MapMethods(authorize, ["GET", "POST"], provider.Authorize);
            app.MapPost(token, (Func<HttpContext, Task<IResult>>)Token); // not a RequestDelegate: the IResult must be executed
        }
        app.MapGet("/user", (Func<HttpContext, Task<IResult>>)(context => UserInfo(context, "login")));          // GitHub's shape
        app.MapGet("/api/v4/user", (Func<HttpContext, Task<IResult>>)(context => UserInfo(context, "username"))); // GitLab's shape
        using (var scope = app.Services.CreateScope()) scope.ServiceProvider.GetRequiredService<ProviderDb>().Database.EnsureCreated();
        app.StartAsync().GetAwaiter().GetResult();
        // Kestrel replaced port 0 with the real one in app.Urls.
        return provider;
    }

    /// <summary>Registers the registry as a client once its address is known, with the callbacks of all three sign-in kinds.</summary>
    public async Task RegisterClientAsync(Uri registry, string oidcScheme)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>().CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            RedirectUris = { new Uri(registry, $"/signin-oidc-{oidcScheme}"), new Uri(registry, "/signin-github"), new Uri(registry, "/signin-gitlab") },
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.GrantTypes.AuthorizationCode,
                Permissions.ResponseTypes.Code, Permissions.Scopes.Profile, Permissions.Scopes.Email,
                Permissions.Prefixes.Scope + GitHubScope, Permissions.Prefixes.Scope + GitLabScope,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        });
    }

    private IResult Authorize(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
        Authorizations++;
        if (User is null) return Results.Forbid(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, User.Subject).SetClaim(Claims.PreferredUsername, User.UserName).SetClaim(Claims.Email, User.Email);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    // The code's principal becomes the tokens' principal.
    private static async Task<IResult> Token(HttpContext context)
    {
        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        return result.Principal is null
            ? Results.Forbid(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme])
            : Results.SignIn(result.Principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The signed-in user as JSON, named the way GitHub or GitLab name the login member.</summary>
    private static async Task<IResult> UserInfo(HttpContext context, string loginMember)
    {
        var result = await context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        if (result.Principal is not { } user) return Results.Unauthorized();
        return Results.Json(new Dictionary<string, string?>
        {
            ["id"] = user.GetClaim(Claims.Subject),
            [loginMember] = user.GetClaim(Claims.PreferredUsername),
            ["email"] = user.GetClaim(Claims.Email),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private sealed class ProviderDb(DbContextOptions<ProviderDb> options) : DbContext(options);
}
