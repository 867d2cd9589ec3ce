using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Registry.Web.Api.Oci;

/// <summary>What a <c>/v2/</c> token grants: the API token it stands for (by its secret's hash; null: anonymous) and actions per repository.</summary>
public sealed record OciGrant(string? TokenHash, Dictionary<string, string[]> Access, long Expires)
{
    /// <summary>A push or delete grant includes pull (skopeo delete asks for delete alone, then reads the manifest).</summary>
    public bool Allows(string repository, string action) =>
        Access.TryGetValue(repository, out var actions) && (actions.Contains(action) || (action == "pull" && actions.Length > 0));
}

/// <summary>
/// Short-lived bearer tokens of the Docker token flow: <c>oci1.&lt;payload&gt;.&lt;hmac&gt;</c>, signed with the key of
/// <see cref="SignedUrls"/>. A token carries no power of its own: each request re-checks the API token behind it (revoked,
/// expired, terms) and the collection's rules; the token only narrows them to the scopes it was issued for.
/// See: https://distribution.github.io/distribution/spec/auth/token/
/// </summary>
public sealed class OciTokens(SignedUrls keys, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private const string Purpose = "oci-token";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Issue(string? tokenHash, Dictionary<string, string[]> access)
    {
        var grant = new OciGrant(tokenHash, access, clock.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds());
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(grant, Json));
        return $"oci1.{payload}.{keys.Mac(Purpose, payload)}";
    }

    /// <summary>The grant of a token this registry issued and that has not expired, else null.</summary>
    public OciGrant? Verify(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0] != "oci1" || parts[1].Length > 16384) return null;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(keys.Mac(Purpose, parts[1])), Encoding.ASCII.GetBytes(parts[2]))) return null;
        try
        {
            var grant = JsonSerializer.Deserialize<OciGrant>(FromBase64Url(parts[1]), Json);
            return grant is not null && grant.Expires >= clock.GetUtcNow().ToUnixTimeSeconds() ? grant : null;
        }
        catch (Exception e) when (e is JsonException or FormatException) { return null; }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
