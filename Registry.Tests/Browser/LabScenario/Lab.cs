using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Registry.Tests.Browser.LabScenario;

/// <summary>The names the lab scenario's chapters share, and their two small locator helpers.</summary>
internal static class Lab
{
    public const string Team = "lab";
    public const string Collection = "alice/tools";   // private, with bob as contributor
    public const string PublicCollection = "alice/demo";
    public const long UploadBytes = 20_000_000;      // three 8 MiB chunks of the browser upload

    public static PageGetByRoleOptions Named(string name, bool exact = true) => new() { Name = name, Exact = exact };

    public static Regex EndsWith(string path) => new(Regex.Escape(path) + "$");
}
