using System.Security.Cryptography;
using System.Text;
using Registry.Core.Oci;

namespace Registry.Web.Api.Oci;

/// <summary>
/// Upload session ids: the staged upload's id, an expiry and an HMAC binding both to the repository and the user that
/// started it, so the session's state is the staged file itself (any node with the volume can continue it) and nobody
/// else can write into it or guess one.
/// </summary>
public sealed class OciSessions(SignedUrls keys, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = OciUploads.SessionLifetime;
    private const string Purpose = "oci-upload";

    public string Issue(string stagingId, OciRepository repo, string userId)
    {
        var id = Convert.ToBase64String(Encoding.UTF8.GetBytes(stagingId)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = clock.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds();
        return $"{id}.{exp}.{keys.Mac(Purpose, $"{id}|{exp}|{repo}|{userId}")}";
    }

    /// <summary>The staged upload a session id names, if this registry issued it for this repository and user and it is live.</summary>
    public string? Verify(string? session, OciRepository repo, string userId)
    {
        var parts = (session ?? "").Split('.');
        if (parts.Length != 3 || parts[0].Length > 200 || !long.TryParse(parts[1], out var exp) || exp < clock.GetUtcNow().ToUnixTimeSeconds()) return null;
        var expected = keys.Mac(Purpose, $"{parts[0]}|{parts[1]}|{repo}|{userId}");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[2]))) return null;
        var b64 = parts[0].Replace('-', '+').Replace('_', '/');
        try { return Encoding.UTF8.GetString(Convert.FromBase64String(b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '='))); }
        catch (FormatException) { return null; }
    }
}
