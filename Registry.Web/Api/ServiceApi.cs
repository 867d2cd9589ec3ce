using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api;

/// <summary>What the CLI's <c>remote add/login/status</c> call. See: docs/library-api.md §Service, §Tokens.</summary>
public static class ServiceApi
{
    public const string ApiVersion = "2.0.0-alpha.2";

    private static readonly string Version = typeof(ServiceApi).Assembly.GetName().Version?.ToString(3) ?? "1.0.0";

    public static void MapServiceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/version", GetVersion)
            .Doc("Service", "GetVersion", "Server and Library API version");
        app.MapGet("/assets/config/config.prod.json", GetServiceConfig)
            .Doc("Service", "GetServiceConfig", "Service discovery for `remote add`: where the library, keystore and token APIs live");
        app.MapGet("/v1/token-status", GetTokenStatus)
            .Doc("Service", "GetTokenStatus", "Whether the bearer token is valid, whose it is, its scope, collection and expiry");
        app.MapGet("/v1/rbac/users/current", GetCurrentUser)
            .Doc("Service", "GetCurrentUser", "The user the bearer token belongs to, with the token's role and scope (not enveloped); `oidc_user_meta.secret` is the user's CLI secret, the /v2/ password (empty for a read-only or one-collection token)");
        app.MapGet("/v1/oci-redirect", GetOciRedirect)
            .Doc("Service", "GetOciRedirect", "Always 404: this registry serves the Library protocol, not OCI");
    }

    private static IResult GetVersion() => Envelope.Data(new { version = Version, apiVersion = ApiVersion });

    // Every top-level value must be an object and URIs carry no trailing slash.
    private static IResult GetServiceConfig(HttpContext context)
    {
        var uri = context.BaseUrl();
        return Results.Json(new Dictionary<string, object>
        {
            ["libraryAPI"] = new { uri },
            ["keystoreAPI"] = new { uri },
            ["tokenAPI"] = new { uri },
        });
    }

    // What the token may do: its scope, the one collection it is restricted to (if any) and its expiry (null = never).
    private static async Task<IResult> GetTokenStatus(HttpContext context, IDbContextFactory<RegistryDbContext> dbFactory)
    {
        var actor = context.GetActor();
        if (!context.HasToken(out var expiresAt)) return Envelope.Error(404, "no token given: create one at /auth/tokens");
        string? collection = null;
        if (actor.RestrictedToCollectionId is { } id)
        {
            await using var db = await dbFactory.CreateDbContextAsync(context.RequestAborted);
            collection = await db.Collections.Where(c => c.Id == id).Select(c => c.Entity!.Name + "/" + c.Name).FirstOrDefaultAsync(context.RequestAborted);
        }
        return Envelope.Data(new
        {
            status = "valid", username = actor.UserName, scope = actor.Scope.ToString().ToLowerInvariant(), admin = actor.IsAdmin,
            collection, expires = expiresAt is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : (DateTime?)null,
        });
    }

    // Not enveloped: the CLI decodes the user object directly.
    private static async Task<IResult> GetCurrentUser(HttpContext context, UserManager<RegistryUser> users, CliSecrets cliSecrets)
    {
        var actor = context.GetActor();
        if (!actor.IsAuthenticated) return Envelope.Error(401, "a token is required");
        var user = await users.FindByIdAsync(actor.UserId!);
        // The role is the token's: an admin's read or write token is an ordinary user.
        // oidc_user_meta.secret is the /v2/ password `remote get-login-password` prints: the user's CLI secret (made on
        // first ask), never the bearer token itself. A read-only or one-collection token gets "" (the CLI then says "user
        // does not have cli token set"): it must not lead to a secret with more rights than it has.
        var secret = await cliSecrets.GetOrCreateAsync(actor, context.RequestAborted) ?? "";
        return Results.Json(new { username = user!.UserName, email = user.Email ?? "", realname = user.RealName, role = actor.IsAdmin ? "admin" : "user",
            scope = actor.Scope.ToString().ToLowerInvariant(), oidc_user_meta = new { secret } });
    }

    // Gen-C clients try an OCI redirect first; 404 keeps them on the classic Library protocol.
    private static IResult GetOciRedirect() => Envelope.Error(404, "this registry serves the Library API only (no OCI redirect)");
}
