using System.Security.Claims;
using Registry.Core.Access;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Terms;

namespace Registry.Web.Api.Authentication;

/// <summary>
/// Resolves the caller of a Library API request from <c>Authorization: Bearer &lt;token&gt;</c>. The scheme is matched
/// case-insensitively (gen A clients send <c>BEARER</c>) and an empty bearer is anonymous. See: LIBRARY-API.md §2, §10.
/// </summary>
public static class LibraryActor
{
    private const string ItemKey = "registry.actor";
    private const string TokenKey = "registry.token";

    /// <summary>Whether the request came with a valid token, and when that token expires (null: never).</summary>
    public static bool HasToken(this HttpContext context, out DateTime? expiresAt)
    {
        var found = context.Items.TryGetValue(TokenKey, out var value);
        expiresAt = value as DateTime?;
        return found;
    }

    public static Actor GetActor(this HttpContext context)
    {
        if (context.Items[ItemKey] is Actor actor) return actor;
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "";
        if (context.User.Identity?.IsAuthenticated == true && context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } id)
            return Actor.ForUser(id, context.User.Identity.Name ?? "", context.User.IsInRole("admin"), address);
        return Actor.Anonymous with { Address = address };
    }

    /// <summary>Middleware for the API paths: a valid token sets the actor; an invalid one is a 401 envelope.</summary>
    public static async Task ResolveAsync(HttpContext context, Func<Task> next)
    {
        var secret = BearerSecret(context.Request.Headers.Authorization.ToString());
        if (!string.IsNullOrEmpty(secret))
        {
            var tokens = context.RequestServices.GetRequiredService<AccessTokenService>();
            var found = await tokens.AuthenticateAsync(secret, context.Connection.RemoteIpAddress?.ToString() ?? "", context.RequestAborted);
            if (found is null)
            {
                // remote login expects 404 from token-status for a bad token ("Invalid Credentials").
                var status = context.Request.Path.StartsWithSegments("/v1/token-status") ? 404 : 401;
                await Envelope.WriteErrorAsync(context, status, "the token is invalid, expired or revoked: create a new one at /auth/tokens");
                return;
            }
            // Terms of service bind API use too: a token of a user who has not agreed to the current version is refused.
            var terms = context.RequestServices.GetRequiredService<TermsService>();
            if (!terms.HasAgreed(found.Value.AcceptedTermsVersion) && !context.Request.Path.StartsWithSegments("/version"))
            {
                await Envelope.WriteErrorAsync(context, 403, "agree to the registry's terms of service (sign in to the web UI, page /terms) before using tokens");
                return;
            }
            context.Items[ItemKey] = found.Value.Actor;
            context.Items[TokenKey] = found.Value.ExpiresAt;
        }
        await next();
    }

    private static string? BearerSecret(string header)
    {
        var space = header.IndexOf(' ');
        var scheme = space < 0 ? header : header[..space];
        if (!scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) return null;
        return space < 0 ? "" : header[(space + 1)..].Trim();
    }
}
