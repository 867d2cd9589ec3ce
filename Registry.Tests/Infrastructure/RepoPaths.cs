namespace Registry.Tests.Infrastructure;

/// <summary>Locations derived from where the test assembly runs.</summary>
public static class RepoPaths
{
    /// <summary>The directory holding Registry.sln (walking up from the test output directory).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The build configuration the tests were built with (Debug/Release), read from bin/&lt;Configuration&gt;/.</summary>
    public static string Configuration { get; } = FindConfiguration();

    /// <summary>The built web app, <c>Registry.Web/bin/&lt;Configuration&gt;/net10.0/Registry.Web.dll</c>.</summary>
    public static string WebDll => Path.Combine(RepoRoot, "Registry.Web", "bin", Configuration, "net10.0", "Registry.Web.dll");

    /// <summary>Working directory (content root) of the server: the build output, which holds appsettings.json.</summary>
    public static string WebBinDir => Path.GetDirectoryName(WebDll)!;

    /// <summary>
    /// A private copy of <see cref="WebBinDir"/> in a new temp folder, so that a rebuild during the run cannot swap the
    /// binaries under a server or the admin CLI; the caller deletes it.
    /// </summary>
    public static string CopyWebBin()
    {
        var to = Directory.CreateTempSubdirectory("registry-e2e-app-").FullName;
        foreach (var dir in Directory.EnumerateDirectories(WebBinDir, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(WebBinDir, dir)));
        foreach (var file in Directory.EnumerateFiles(WebBinDir, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(WebBinDir, file)), overwrite: true);
        return to;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Registry.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"Registry.sln not found above {AppContext.BaseDirectory}");
    }

    private static string FindConfiguration()
    {
        // .../Registry.Tests/bin/<Configuration>/net10.0/
        var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var bin = Array.LastIndexOf(parts, "bin");
        return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Debug";
    }
}
