using System.Text;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Oci;
using Registry.Core.Terms;

namespace Registry.Web.Api.Oci;

/// <summary>
/// <c>GET /v2/token?service=…&amp;scope=repository:&lt;name&gt;:pull,push</c>, the realm of the Bearer challenge. Basic
/// credentials are a user name and one of that user's API tokens or their CLI secret (<see cref="CliSecrets"/>, what
/// <c>apptainer remote get-login-password</c> prints); none gives an anonymous pull token. A write action is
/// granted only to a token whose scope can write; whether the user may write there is decided per request.
/// See: https://distribution.github.io/distribution/spec/auth/token/
/// </summary>
public static class OciTokenApi
{
    private static readonly string[] Actions = ["pull", "push", "delete"];

    public static async Task<IResult> IssueAsync(HttpContext context, OciTokens tokens, AccessTokenService apiTokens, TermsService terms)
    {
        var scopes = context.Request.Query["scope"].SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (scopes.Count > 16) return OciErrors.Error(400, OciErrors.Unsupported, "at most 16 scopes per token");
        string? tokenHash = null;
        var canWrite = false;
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            if (!TryBasic(header, out var user, out var secret))
                return Refuse(context, "send Basic credentials: your user name and an API token from /auth/tokens (or your CLI secret)");
            var found = await apiTokens.AuthenticateAsync(secret, context.Connection.RemoteIpAddress?.ToString() ?? "", context.RequestAborted, acceptCliSecret: true);
            if (found is null || !string.Equals(found.Value.Actor.UserName, user, StringComparison.OrdinalIgnoreCase))
                return Refuse(context, "the user name or password (API token or CLI secret) is wrong, or it is revoked or expired");
            if (!terms.HasAgreed(found.Value.AcceptedTermsVersion))
                return OciErrors.Error(403, OciErrors.Denied, "agree to the registry's terms of service (sign in to the web UI, page /terms) before using tokens");
            tokenHash = Registry.Core.Ids.Sha256Hex(secret);
            canWrite = found.Value.Actor.Scope >= TokenScope.Write;
        }

        var access = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var scope in scopes)
        {
            // repository:<entity/collection/container>:<actions>; anything else is granted nothing, as the spec allows.
            var parts = scope.Split(':');
            if (parts.Length != 3 || parts[0] != "repository") continue;
            var names = parts[1].Split('/');
            if (names.Length != 3 || OciRepository.Parse(names[0], names[1], names[2]) is not { } repo) continue;
            // "*" is every action (skopeo delete asks for it).
            var asked = parts[2].Split(',').SelectMany(a => a == "*" ? Actions : [a]);
            var granted = asked.Where(a => Actions.Contains(a) && (a == "pull" || canWrite)).Distinct().ToArray();
            access[repo.ToString()] = [.. (access.GetValueOrDefault(repo.ToString()) ?? []).Union(granted)];
        }
        var token = tokens.Issue(tokenHash, access);
        return Results.Json(new
        {
            token,
            access_token = token,
            expires_in = (int)OciTokens.Lifetime.TotalSeconds,
            issued_at = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        });
    }

    private static IResult Refuse(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{OciErrors.Service(context)}\"";
        return OciErrors.Error(401, OciErrors.Unauthorized, message);
    }

    private static bool TryBasic(string header, out string user, out string secret)
    {
        (user, secret) = ("", "");
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Length > 2048) return false;
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return false; }
        var colon = decoded.IndexOf(':');
        if (colon <= 0) return false;
        (user, secret) = (decoded[..colon], decoded[(colon + 1)..]);
        return true;
    }
}
