using System.Text;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Registry.Core.Signatures;

/// <summary>
/// An OpenPGP clear-signed message (RFC 4880 §7) as the sif library writes it: the text the signature covers (lines
/// dash-unescaped, trailing blanks dropped, joined with CRLF), the plaintext, and the signature packet.
/// See: ProtonMail go-crypto openpgp/clearsign Decode.
/// </summary>
public sealed record ClearSigned(byte[] Signed, string Plaintext, PgpSignature Signature)
{
    private const string Begin = "-----BEGIN PGP SIGNED MESSAGE-----";
    private const string BeginSignature = "-----BEGIN PGP SIGNATURE-----";

    /// <summary>Parses the message; a failure says what is wrong with it. Never throws on hostile bytes.</summary>
    public static Result<ClearSigned> Parse(byte[] data)
    {
        string text;
        try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data); }
        catch (DecoderFallbackException) { return Result.Invalid("the signature object is not text"); }
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var at = lines.FindIndex(l => l == Begin);
        if (at < 0) return Result.Invalid("the signature object holds no PGP clear-signed message");
        at++;
        for (; at < lines.Count && lines[at].Length > 0; at++)
            if (!lines[at].StartsWith("Hash:", StringComparison.Ordinal)) return Result.Invalid("the clear-signed message has an unknown header");
        at++;
        var end = lines.FindIndex(Math.Min(at, lines.Count), l => l == BeginSignature);
        if (at > lines.Count || end < 0) return Result.Invalid("the clear-signed message has no signature");

        var body = lines[at..end].Select(l => (l.StartsWith("- ", StringComparison.Ordinal) ? l[2..] : l).TrimEnd(' ', '\t')).ToList();
        var signed = Encoding.UTF8.GetBytes(string.Join("\r\n", body));
        var plaintext = string.Concat(body.Select(l => l + "\n"));
        try
        {
            var armor = string.Join('\n', lines[end..]);
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.ASCII.GetBytes(armor)));
            var factory = new PgpObjectFactory(input);
            var packet = factory.NextPgpObject();
            if (packet is PgpCompressedData) return Result.Invalid("the signature block is compressed");
            if (packet is not PgpSignatureList { Count: 1 } list) return Result.Invalid("the signature block holds no single signature");
            return new ClearSigned(signed, plaintext, list[0]);
        }
        catch (Exception e) when (e is IOException or PgpException or ArgumentException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            return Result.Invalid($"the signature block cannot be read: {e.Message}");
        }
    }
}
