namespace Registry.Tests.Infrastructure;

/// <summary>
/// The Go program in EndToEnd/libclient that links the real Apptainer library client
/// (Debian golang-github-apptainer-container-library-client-dev 1.2.2). Built once per
/// test run (lazily, thread-safe) into a temp directory.
/// </summary>
public sealed class GoDriver
{
    private static readonly Lazy<Task<string>> Binary = new(() => BuildAsync(Path.Combine("EndToEnd", "libclient"), "libclient"),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Path of the compiled driver; builds it on first use.</summary>
    public static Task<string> GetBinaryAsync() => Binary.Value;

    /// <summary>Runs the driver: <c>libclient ARGS...</c>. Returns exit code, stdout and stderr.</summary>
    /// <summary>Runs the driver against the registry at <paramref name="baseUrl"/>, with a token when given.</summary>
    public static Task<ProcessResult> RunAgainstAsync(string baseUrl, string? token, string[] args)
    {
        List<string> all = ["-url", baseUrl];
        if (!string.IsNullOrEmpty(token)) all.AddRange(["-token", token]);
        all.AddRange(args);
        return RunAsync([.. all]);
    }

    public static Task<ProcessResult> RunAsync(params string[] args) => RunWithEnvironmentAsync(null, args);

    /// <summary>Runs the driver with extra environment (<c>SSL_CERT_FILE</c>: the roots Go trusts for https).</summary>
    public static async Task<ProcessResult> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var binary = await GetBinaryAsync();
        return await ProcessRunner.RunAsync(binary, args, environment, timeout: TimeSpan.FromMinutes(10));
    }

    /// <summary>
    /// Builds the Go program in <paramref name="relativeDir"/> of Registry.Tests (its copy in the test output, else the
    /// repository's) offline in GOPATH mode against Debian's Go packages; answers the binary's path.
    /// </summary>
    internal static async Task<string> BuildAsync(string relativeDir, string name)
    {
        var source = FindSource(relativeDir);
        var outDir = Directory.CreateTempSubdirectory($"registry-e2e-{name}-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(outDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        var binary = Path.Combine(outDir, name);

        // Keep the Go build cache across runs (fast rebuilds) unless the caller chose one.
        var goCache = Environment.GetEnvironmentVariable("GOCACHE");
        if (string.IsNullOrEmpty(goCache))
            goCache = Path.Combine(Path.GetTempPath(), "registry-e2e-gocache");
        Directory.CreateDirectory(goCache);

        var env = new Dictionary<string, string?>
        {
            ["GO111MODULE"] = "off",
            ["GOPATH"] = "/usr/share/gocode",
            ["GOCACHE"] = goCache,
            ["GOFLAGS"] = null, // no inherited module flags in GOPATH mode
            ["CGO_ENABLED"] = "0",
        };
        var result = await ProcessRunner.RunAsync("go", ["build", "-o", binary, "."], env, source, TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0 || !File.Exists(binary))
            throw new InvalidOperationException($"building the Go program {name} in {source} failed:\n{result}");
        return binary;
    }

    private static string FindSource(string relativeDir)
    {
        // The test project copies the Go sources to its output; fall back to the repo.
        var copy = Path.Combine(AppContext.BaseDirectory, relativeDir);
        if (Directory.Exists(copy) && Directory.EnumerateFiles(copy, "*.go").Any()) return copy;
        var repo = Path.Combine(RepoPaths.RepoRoot, "Registry.Tests", relativeDir);
        if (Directory.Exists(repo) && Directory.EnumerateFiles(repo, "*.go").Any()) return repo;
        throw new DirectoryNotFoundException($"no Go sources of {relativeDir} in {copy} or {repo}");
    }
}
