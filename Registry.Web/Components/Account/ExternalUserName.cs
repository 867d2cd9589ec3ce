using System.Text;
using Registry.Core;

namespace Registry.Web.Components.Account;

/// <summary>Turns a provider's user name (or e-mail) into a proposal that follows the registry's name rule.</summary>
public static class ExternalUserName
{
    public const int MaxLength = 64;

    /// <summary>"Alice.Smith@uni.edu" → "alice.smith", "Jörg  Müller" → "j-rg-m-ller"; empty when nothing usable is left.</summary>
    public static string Suggest(string? raw)
    {
        var name = (raw ?? "").Trim().ToLowerInvariant();
        if (name.IndexOf('@') is > 0 and var at) name = name[..at];
        var result = new StringBuilder();
        foreach (var c in name)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
            var separator = ok ? (char?)null : c is '.' or '_' or '-' ? c : '-';
            if (ok) result.Append(c);
            // One separator between letters and digits: none at the start, none doubled.
            else if (result.Length > 0 && result[^1] is not ('.' or '_' or '-')) result.Append(separator);
        }
        var suggestion = result.ToString();
        if (suggestion.Length > MaxLength) suggestion = suggestion[..MaxLength];
        suggestion = suggestion.TrimEnd('.', '_', '-');
        return Names.IsValid(suggestion) ? suggestion : "";
    }
}
