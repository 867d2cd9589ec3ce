using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Storage.SharedFolder;

namespace Registry.Web.Api;

/// <summary>
/// Short-lived download capabilities: <c>/v1/imagefile-blob/{imageId}?exp=&amp;sig=</c>. Needed because the client fetches a 303
/// target without its token (docs/library-api.md §Pull). The HMAC key lives in the data folder and is made at start-up
/// (not on first pull: a pull must still work when the disk has since filled up).
/// </summary>
public sealed class SignedUrls(IOptions<RegistryOptions> options, TimeProvider clock)
{
    private readonly Lazy<byte[]> _key = new(() => LoadOrCreateKey(options.Value.DataRoot));

    /// <summary>Loads or creates the key now; called once at start-up.</summary>
    public void EnsureKey() => _ = _key.Value;

    public string ForImage(HttpContext context, string imageId)
    {
        var exp = clock.GetUtcNow().Add(options.Value.DownloadUrlLifetime).ToUnixTimeSeconds();
        return $"{context.BaseUrl()}/v1/imagefile-blob/{imageId}?exp={exp}&sig={Sign(imageId, exp)}";
    }

    public bool IsValid(string imageId, long exp, string? sig) =>
        sig is not null && exp >= clock.GetUtcNow().ToUnixTimeSeconds()
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(imageId, exp)), Encoding.ASCII.GetBytes(sig));

    /// <summary>An HMAC of <paramref name="payload"/> under this key, for other short-lived capabilities (the <c>/v2/</c> tokens and upload sessions), kept apart by <paramref name="purpose"/>.</summary>
    public string Mac(string purpose, string payload) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes($"{purpose}\n{payload}")));

    private string Sign(string imageId, long exp) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes($"{imageId}|{exp}")));

    /// <summary>Created exactly once even when several nodes start at once on one shared, empty data folder.</summary>
    private static byte[] LoadOrCreateKey(string dataRoot) =>
        CreateOnce.ReadOrCreate(Path.Combine(dataRoot, "keys", "url-signing.key"), () => RandomNumberGenerator.GetBytes(32));
}
