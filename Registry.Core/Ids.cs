using System.Security.Cryptography;

namespace Registry.Core;

/// <summary>Opaque, URL-safe identifiers (24 lowercase hex digits) as the Library API expects string ids.</summary>
public static class Ids
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>A secret for capability URLs and tokens: 32 random bytes, URL-safe.</summary>
    public static string NewSecret() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Sha256Hex(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)));
}
