using System.Text.RegularExpressions;

namespace Registry.Core;

/// <summary>Name rules shared by entities, collections, containers and tags: the client's own push pattern.</summary>
public static partial class Names
{
    public const int MaxLength = 128;

    // See: LIBRARY-API.md §6 — ^[a-z0-9]+(?:[._-][a-z0-9]+)*$ ; ASCII only, so look-alikes and ".." never pass.
    [GeneratedRegex("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && Pattern().IsMatch(name);

    public const string Rule = "lowercase letters and digits, separated by single '.', '_' or '-', at most 128 characters";
}
