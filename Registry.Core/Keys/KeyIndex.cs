using System.Globalization;
using System.Text;

namespace Registry.Core.Keys;

/// <summary>The HKP machine-readable index (draft-shaw-openpgp-hkp §5.2); its count always equals its pub lines, or the key client errors.</summary>
public static class KeyIndex
{
    public static string Of(IReadOnlyList<PublicKey> keys, DateTime now)
    {
        var text = new StringBuilder($"info:1:{keys.Count}\n");
        foreach (var key in keys)
        {
            var created = Unix(key.KeyCreatedAt);
            var expires = key.ExpiresAt is { } at ? Unix(at) : "";
            var flags = (key.Revoked ? "r" : "") + (key.ExpiresAt is { } e && e < now ? "e" : "");
            text.Append($"pub:{key.Fingerprint}:{key.Algorithm}:{key.Bits}:{created}:{expires}:{flags}\n");
            foreach (var uid in key.UidList) text.Append($"uid:{Escape(uid)}:{created}:{expires}:{flags}\n");
        }
        return text.ToString();
    }

    private static string Unix(DateTime at) => new DateTimeOffset(at, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>%-escapes what would break the colon-separated line: ':', '%', control characters and non-ASCII (as UTF-8 bytes).</summary>
    private static string Escape(string uid)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(uid))
            text.Append(b is < 0x20 or >= 0x7f or (byte)':' or (byte)'%' ? $"%{b:X2}" : ((char)b).ToString());
        return text.ToString();
    }
}
