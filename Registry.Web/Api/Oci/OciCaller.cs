using Registry.Core.Access;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Terms;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api.Oci;

/// <summary>
/// Who calls <c>/v2/</c>: nobody (anonymous pulls need no token), or the holder of a token from <c>/v2/token</c>, whose
/// API token is checked again on every request (revocation, expiry, the terms gate hold at once).
/// </summary>
public sealed record OciCaller(OciGrant? Grant)
{
    private const string Key = "registry.oci-caller";

    public bool HasToken => Grant is not null;

    public static OciCaller Of(HttpContext context) => context.Items[Key] as OciCaller ?? new OciCaller((OciGrant?)null);

    /// <summary>Middleware before the rate limiter: a valid token sets the caller; a bad one is noted and answered after it.</summary>
    public static async Task IdentifyAsync(HttpContext context, Func<Task> next)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && !context.Request.Path.StartsWithSegments("/v2/token"))
        {
            var grant = context.RequestServices.GetRequiredService<OciTokens>().Verify(header[7..].Trim());
            if (grant is null) context.NoteRefusal(401, "the token is invalid or has expired: log in again");
            else if (grant.TokenHash is null) context.Items[Key] = new OciCaller(grant);
            else await IdentifyHolderAsync(context, grant);
        }
        await next();
    }

    private static async Task IdentifyHolderAsync(HttpContext context, OciGrant grant)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "";
        var found = await context.RequestServices.GetRequiredService<AccessTokenService>().AuthenticateHashAsync(grant.TokenHash!, address, context.RequestAborted, acceptCliSecret: true);
        if (found is null)
            context.NoteRefusal(401, "the API token behind this login is revoked or expired: log in again with a live token");
        else if (!context.RequestServices.GetRequiredService<TermsService>().HasAgreed(found.Value.AcceptedTermsVersion))
            context.NoteRefusal(403, "agree to the registry's terms of service (sign in to the web UI, page /terms) before using tokens");
        else
        {
            context.SetCaller(found.Value.Actor, found.Value.ExpiresAt, grant.TokenHash![..32]);
            context.Items[Key] = new OciCaller(grant);
        }
    }

    /// <summary>The actor of a request the route filter let through (anonymous unless a token was verified).</summary>
    public static Actor ActorOf(HttpContext context) => context.GetActor();
}
