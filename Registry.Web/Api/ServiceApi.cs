using Microsoft.AspNetCore.Identity;
using Registry.Core.Identity;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api;

/// <summary>What the CLI's <c>remote add/login/status</c> call. See: LIBRARY-API.md §5, §10.</summary>
public static class ServiceApi
{
    public const string ApiVersion = "2.0.0-alpha.2";

    public static void MapServiceApi(this IEndpointRouteBuilder app)
    {
        var version = typeof(ServiceApi).Assembly.GetName().Version?.ToString(3) ?? "1.0.0";
        app.MapGet("/version", () => Envelope.Data(new { version, apiVersion = ApiVersion }))
            .Doc("Service", "GetVersion", "Server and Library API version");

        // Every top-level value must be an object and URIs carry no trailing slash.
        app.MapGet("/assets/config/config.prod.json", (HttpContext context) =>
        {
            var uri = context.BaseUrl();
            return Results.Json(new Dictionary<string, object>
            {
                ["libraryAPI"] = new { uri },
                ["keystoreAPI"] = new { uri },
                ["tokenAPI"] = new { uri },
            });
        }).Doc("Service", "GetServiceConfig", "Service discovery for `remote add`: where the library, keystore and token APIs live");

        app.MapGet("/v1/token-status", (HttpContext context) =>
        {
            var actor = context.GetActor();
            return actor.IsAuthenticated
                ? Envelope.Data(new { status = "valid", username = actor.UserName, scope = actor.Scope.ToString().ToLowerInvariant() })
                : Envelope.Error(404, "no token given: create one at /auth/tokens");
        }).Doc("Service", "GetTokenStatus", "Whether the bearer token is valid, whose it is and its scope");

        // Not enveloped: the CLI decodes the user object directly.
        app.MapGet("/v1/rbac/users/current", async (HttpContext context, UserManager<RegistryUser> users) =>
        {
            var actor = context.GetActor();
            if (!actor.IsAuthenticated) return Envelope.Error(401, "a token is required");
            var user = await users.FindByIdAsync(actor.UserId!);
            return Results.Json(new { username = user!.UserName, email = user.Email ?? "", realname = user.RealName, role = user.IsAdmin ? "admin" : "user" });
        }).Doc("Service", "GetCurrentUser", "The user the bearer token belongs to (not enveloped)");

        // Gen-C clients try an OCI redirect first; 404 keeps them on the classic Library protocol.
        app.MapGet("/v1/oci-redirect", () => Envelope.Error(404, "this registry serves the Library API only (no OCI redirect)"))
            .Doc("Service", "GetOciRedirect", "Always 404: this registry serves the Library protocol, not OCI");
    }
}
