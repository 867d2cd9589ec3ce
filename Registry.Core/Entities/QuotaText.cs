using System.Text.RegularExpressions;

namespace Registry.Core.Entities;

/// <summary>A quota as people write it: <c>500M</c>, <c>20G</c>, <c>1T</c>, <c>unlimited</c> (0) or <c>default</c> (null: the registry's).</summary>
public static partial class QuotaText
{
    public const string Rule = "a size like 500M, 20G or 1T, 'unlimited' or 'default'";

    public static bool TryParse(string? text, out long? bytes)
    {
        bytes = null;
        text = text?.Trim() ?? "";
        if (text == "default") return true;
        if (text == "unlimited") { bytes = 0; return true; }
        var m = SizePattern().Match(text);
        if (!m.Success) return false;
        var shift = m.Groups[2].Value.ToUpperInvariant() switch { "K" => 10, "M" => 20, "G" => 30, "T" => 40, _ => 0 };
        bytes = long.Parse(m.Groups[1].Value) << shift;
        return true;
    }

    [GeneratedRegex("^([0-9]{1,12})([KMGTkmgt]?)$")]
    private static partial Regex SizePattern();
}
