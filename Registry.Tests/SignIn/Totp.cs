using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Registry.Tests.SignIn;

/// <summary>What an authenticator app computes from the key a page shows (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits).</summary>
public static class Totp
{
    public static string Code(string shownKey, DateTimeOffset at)
    {
        var key = Base32(shownKey.Replace(" ", "").ToUpperInvariant());
        Span<byte> step = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(step, at.ToUnixTimeSeconds() / 30);
        var hash = HMACSHA1.HashData(key, step);
        var offset = hash[^1] & 0x0f;
        var value = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7fffffff) % 1_000_000;
        return value.ToString("D6");
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text.TrimEnd('='))
        {
            var value = alphabet.IndexOf(c);
            if (value < 0) throw new FormatException($"not base32: {c}");
            buffer = ((buffer << 5) | value) & 0xfff; // at most 12 bits are ever pending
            bits += 5;
            if (bits >= 8) { bytes.Add((byte)(buffer >> (bits - 8))); bits -= 8; }
        }
        return [.. bytes];
    }
}
