using System.Text.RegularExpressions;

namespace Registry.Core;

/// <summary>Name rules shared by entities, collections, containers and tags: the client's own push pattern.</summary>
public static partial class Names
{
    public const int MaxLength = 128;

    // See: docs/library-api.md §References — ^[a-z0-9]+(?:[._-][a-z0-9]+)*$ ; ASCII only, so look-alikes and ".." never pass.
    [GeneratedRegex("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && Pattern().IsMatch(name);

    public const string Rule = Characters + ", at most 128 characters";

    /// <summary>The rule for user and team names, which are also entity names but shorter.</summary>
    public const string AccountRule = Characters + ", at most 64 characters";

    private const string Characters = "lowercase letters and digits, separated by single '.', '_' or '-'";

    /// <summary>
    /// The app's own first path segments. Pages live at <c>/{entity}/{collection}</c>, and routes match without regard to
    /// case, so an entity named <c>account</c> with a collection <c>login</c> would stand where the sign-in page is.
    /// None of these may name a user, team or collection; names with <c>_</c> first (<c>_blazor</c>) can't pass the rule.
    /// </summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        "account", "admin", "api", "assets", "auth", "browser-upload", "collections", "download", "error", "keys", "lib",
        "not-found", "pks", "search", "settings", "signin-github", "signin-gitlab", "teams", "terms", "treemap", "u",
        "upload", "v1", "v2", "version",
    };

    /// <summary>The pages under a collection: <c>/{entity}/{collection}/settings</c> stands where a container would.</summary>
    public static readonly IReadOnlySet<string> ReservedContainers = new HashSet<string>(StringComparer.Ordinal) { "settings", "upload", "badge.svg" };

    /// <summary>Whether a user, team or collection may take this name (external sign-in callbacks included).</summary>
    public static bool IsReserved(string name) => Reserved.Contains(name) || name.StartsWith("signin-", StringComparison.Ordinal);

    /// <summary>Null when <paramref name="name"/> may name a user, team or collection; else why not.</summary>
    public static string? ProblemWith(string? name, string what) =>
        !IsValid(name) ? $"'{name}' is not a valid {what} name: use {Rule}"
        : IsReserved(name!) ? $"'{name}' is a word the registry's own pages use; choose another {what} name"
        : null;

    /// <summary>Null when <paramref name="name"/> may name a container; else why not.</summary>
    public static string? ContainerProblem(string? name) =>
        !IsValid(name) ? $"'{name}' is not a valid container name: use {Rule}"
        : ReservedContainers.Contains(name!) ? $"'{name}' is a word the registry's own pages use; choose another container name"
        : null;
}
