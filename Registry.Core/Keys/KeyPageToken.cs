using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Registry.Core.Keys;

/// <summary>
/// The opaque <c>X-HKP-Next-Page-Token</c> / <c>x-pagetoken</c>: the upload time and fingerprint of the last key of a page.
/// It only says where the next page starts; a crafted one can reorder nothing and reveal nothing (every key is public anyway).
/// </summary>
public sealed record KeyPageToken(DateTime CreatedAt, string Fingerprint)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture)}.{Fingerprint}"));

    /// <summary>The token, or null when it is not one this server issued (wrong shape, not a fingerprint).</summary>
    public static KeyPageToken? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 128) return null;
        byte[] bytes;
        try { bytes = Base64Url.DecodeFromChars(token); }
        catch (FormatException) { return null; }
        var parts = Encoding.ASCII.GetString(bytes).Split('.');
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTime.MaxValue.Ticks) return null;
        var fingerprint = parts[1];
        if (fingerprint.Length is not (40 or 64) || !fingerprint.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c))) return null;
        return new KeyPageToken(new DateTime(ticks, DateTimeKind.Utc), fingerprint);
    }
}
