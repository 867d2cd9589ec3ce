using System.Security.Cryptography;
using System.Text;
using Registry.Core.Access;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Terms;

namespace Registry.Web.Api.Authentication;

/// <summary>
/// Resolves the caller of a Library API request from <c>Authorization: Bearer &lt;token&gt;</c>. The scheme is matched
/// case-insensitively (gen A clients send <c>BEARER</c>) and an empty bearer is anonymous. See: docs/library-api.md §Conventions, §Tokens.
/// Two steps around the rate limiter: <see cref="IdentifyAsync"/> verifies the token first, so the limiter counts a
/// caller by a token that exists, never by whatever credential was sent; <see cref="RefuseAsync"/> then answers a bad
/// token, after it was counted against its address.
/// </summary>
public static class LibraryActor
{
    private const string ItemKey = "registry.actor";
    private const string TokenKey = "registry.token";
    private const string RateKey = "registry.rate-key";
    private const string RefusalKey = "registry.token-refusal";

    /// <summary>Whether the request came with a valid token, and when that token expires (null: never).</summary>
    public static bool HasToken(this HttpContext context, out DateTime? expiresAt)
    {
        var found = context.Items.TryGetValue(TokenKey, out var value);
        expiresAt = value as DateTime?;
        return found;
    }

    /// <summary>A key naming the verified token of the request (a hash, not the secret), or null for anonymous callers.</summary>
    public static string? VerifiedTokenKey(this HttpContext context) => context.Items[RateKey] as string;

    /// <summary>
    /// The token's actor, else anonymous. Never the browser's sign-in cookie: the web UI calls Core directly, and a cookie
    /// is sent along by any page that makes the browser call the API, which would act as the signed-in user (CSRF).
    /// </summary>
    public static Actor GetActor(this HttpContext context) =>
        context.Items[ItemKey] as Actor ?? Actor.Anonymous with { Address = context.Connection.RemoteIpAddress?.ToString() ?? "" };

    /// <summary>Middleware for the API paths: a valid token sets the actor; an invalid one is noted for <see cref="RefuseAsync"/>.</summary>
    public static async Task IdentifyAsync(HttpContext context, Func<Task> next)
    {
        var secret = BearerSecret(context.Request.Headers.Authorization.ToString());
        if (!string.IsNullOrEmpty(secret))
        {
            var tokens = context.RequestServices.GetRequiredService<AccessTokenService>();
            var found = await tokens.AuthenticateAsync(secret, context.Connection.RemoteIpAddress?.ToString() ?? "", context.RequestAborted);
            if (found is null)
                // remote login expects 404 from token-status for a bad token ("Invalid Credentials").
                context.NoteRefusal(context.Request.Path.StartsWithSegments("/v1/token-status") ? 404 : 401,
                    "the token is invalid, expired or revoked: create a new one at /auth/tokens");
            // Terms of service bind API use too: a token of a user who has not agreed to the current version is refused.
            else if (!context.RequestServices.GetRequiredService<TermsService>().HasAgreed(found.Value.AcceptedTermsVersion) && !context.Request.Path.StartsWithSegments("/version"))
                context.NoteRefusal(403, "agree to the registry's terms of service (sign in to the web UI, page /terms) before using tokens");
            else
            {
                context.Items[ItemKey] = found.Value.Actor;
                context.Items[TokenKey] = found.Value.ExpiresAt;
            }
            // A token that exists is counted as itself, also while its owner has not agreed to the terms.
            // The key is a hash: limiter partitions must not keep token secrets in memory as keys.
            if (found is not null) context.Items[RateKey] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))[..32];
        }
        await next();
    }

    /// <summary>Sets the caller verified another way (sregistry-cli's signatures), as a valid bearer token would.</summary>
    public static void SetCaller(this HttpContext context, Actor actor, DateTime? expiresAt, string rateKey)
    {
        context.Items[ItemKey] = actor;
        context.Items[TokenKey] = expiresAt;
        context.Items[RateKey] = rateKey;
    }

    /// <summary>Notes a refusal to answer after the rate limiter has counted the request.</summary>
    public static void NoteRefusal(this HttpContext context, int status, string message) => context.Items[RefusalKey] = (status, message);

    public static (int Status, string Message)? Refusal(this HttpContext context) =>
        context.Items[RefusalKey] is (int status, string message) ? (status, message) : null;

    /// <summary>Middleware for the API paths, after the rate limiter: answers the refusal <see cref="IdentifyAsync"/> noted.</summary>
    public static async Task RefuseAsync(HttpContext context, Func<Task> next)
    {
        if (context.Refusal() is var (status, message))
        {
            await Envelope.WriteErrorAsync(context, status, message);
            return;
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
