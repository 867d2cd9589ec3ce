using System.Text.RegularExpressions;

namespace Registry.Core.Storage;

/// <summary>A sha256 digest as 64 lowercase hex digits; the Library API spells it <c>sha256.&lt;hex&gt;</c>.</summary>
public readonly partial record struct Digest(string Hex)
{
    public const string Prefix = "sha256.";

    [GeneratedRegex("^[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex HexPattern();

    public static bool TryParseHex(string? hex, out Digest digest)
    {
        digest = default;
        if (hex is null || !HexPattern().IsMatch(hex)) return false;
        digest = new Digest(hex);
        return true;
    }

    /// <summary>Parses <c>sha256.&lt;hex&gt;</c>.</summary>
    public static bool TryParse(string? value, out Digest digest)
    {
        digest = default;
        return value is not null && value.StartsWith(Prefix, StringComparison.Ordinal)
            && TryParseHex(value[Prefix.Length..], out digest);
    }

    public string LibraryForm => Prefix + Hex;
    public override string ToString() => LibraryForm;
}
