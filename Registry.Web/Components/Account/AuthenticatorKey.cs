using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Registry.Web.Components.Account;

/// <summary>How an authenticator key is shown: grouped for typing, and as the otpauth URI a QR code carries.</summary>
public static class AuthenticatorKey
{
    private const string UriFormat = "otpauth://totp/{0}:{1}?secret={2}&issuer={0}&digits=6";

    /// <summary>The key in lowercase groups of four, separated by spaces.</summary>
    public static string Format(string unformattedKey)
    {
        var result = new StringBuilder();
        var position = 0;
        while (position + 4 < unformattedKey.Length)
        {
            result.Append(unformattedKey.AsSpan(position, 4)).Append(' ');
            position += 4;
        }
        if (position < unformattedKey.Length) result.Append(unformattedKey.AsSpan(position));
        return result.ToString().ToLowerInvariant();
    }

    public static string QrCodeUri(UrlEncoder encoder, string email, string unformattedKey) =>
        string.Format(CultureInfo.InvariantCulture, UriFormat,
            encoder.Encode("Microsoft.AspNetCore.Identity.UI"), encoder.Encode(email), unformattedKey);
}
