using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Registry.Core.Sregistry;

/// <summary>
/// One parsed <c>Authorization: SREGISTRY-HMAC-SHA256 Credential=&lt;kind&gt;/&lt;base64(user)&gt;/&lt;%Y%m%dT%HZ&gt;,Signature=&lt;hex&gt;</c>.
/// See: SREGISTRY-CLI.md "Authentication".
/// </summary>
public sealed record SregistryCredential(string Kind, string UserName, string Timestamp, DateTime Hour, string Signature);

/// <summary>sregistry-cli's request signatures: parsing, the accepted time window, and the HMAC they carry.</summary>
public static class SregistrySignature
{
    public const string Scheme = "SREGISTRY-HMAC-SHA256";
    public static readonly string[] Kinds = ["push", "upload", "pull", "delete"];

    public static bool IsSregistry(string? header) =>
        header is not null && header.StartsWith(Scheme, StringComparison.Ordinal) && (header.Length == Scheme.Length || header[Scheme.Length] == ' ');

    /// <summary>The credential in the header, or a message saying what is malformed.</summary>
    public static Result<SregistryCredential> Parse(string header)
    {
        if (!IsSregistry(header) || header.Length > 1024) return Result.Unauthorized($"the Authorization header must be '{Scheme} Credential=…,Signature=…'");
        string? credential = null, signature = null;
        foreach (var part in header[Scheme.Length..].Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("Credential=", StringComparison.Ordinal)) credential = part["Credential=".Length..];
            else if (part.StartsWith("Signature=", StringComparison.Ordinal)) signature = part["Signature=".Length..];
        }
        var fields = credential?.Split('/');
        if (fields is not { Length: 3 } || signature is null) return Result.Unauthorized("the signature needs Credential=<kind>/<base64 user>/<timestamp> and Signature=<hex>");
        if (!Kinds.Contains(fields[0])) return Result.Unauthorized($"unknown request kind '{Clip(fields[0])}': one of {string.Join(", ", Kinds)}");
        string user;
        try { user = Encoding.UTF8.GetString(Convert.FromBase64String(fields[1])); }
        catch (FormatException) { return Result.Unauthorized("the credential's user name is not base64"); }
        if (!DateTime.TryParseExact(fields[2], "yyyyMMdd'T'HH'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var hour))
            return Result.Unauthorized($"the timestamp '{Clip(fields[2])}' is not UTC %Y%m%dT%HZ");
        if (signature.Length != 64 || !signature.All(char.IsAsciiHexDigit)) return Result.Unauthorized("the signature must be 64 hex digits");
        return new SregistryCredential(fields[0], user, fields[2], hour, signature.ToLowerInvariant());
    }

    /// <summary>The current and the previous hour (a request made just before the hour turned), and one ahead for clock skew.</summary>
    public static bool IsFresh(SregistryCredential credential, DateTime utcNow)
    {
        var thisHour = new DateTime(utcNow.Year, utcNow.Month, utcNow.Day, utcNow.Hour, 0, 0, DateTimeKind.Utc);
        return credential.Hour >= thisHour.AddHours(-1) && credential.Hour <= thisHour.AddHours(1);
    }

    /// <summary>The message the client signs: <c>kind|collection|timestamp|name|tag|</c> (with the trailing bar).</summary>
    public static string Message(string kind, string collection, string timestamp, string name, string tag) =>
        $"{kind}|{collection}|{timestamp}|{name}|{tag}|";

    /// <summary>Lowercase hex HMAC-SHA256 of <paramref name="message"/> keyed with the token as the user holds it.</summary>
    public static string Sign(string token, string message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(message)));

    /// <summary>Constant-time comparison of the expected and the sent signature.</summary>
    public static bool Matches(string token, string message, string sent) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(token, message)), Encoding.ASCII.GetBytes(sent));

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
