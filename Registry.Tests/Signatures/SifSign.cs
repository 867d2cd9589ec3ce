using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Signatures;

/// <summary>
/// The Go program in Signatures/sifsign: signs and verifies SIFs with the sif library's own pkg/integrity (what
/// <c>apptainer sign</c>/<c>verify</c> run). Debian installs the sif /v2 module at its old import path, so it builds in a
/// private GOPATH whose <c>github.com/sylabs/sif/v2</c> points at Debian's sources; everything else from /usr/share/gocode.
/// </summary>
public static class SifSign
{
    private const string GoCode = "/usr/share/gocode/src";
    private static readonly Lazy<Task<string>> Binary = new(BuildAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Signs every object group of <paramref name="sif"/> in place with the key, as <c>apptainer sign</c> does.</summary>
    public static Task SignAsync(GpgKey key, string sif) => SignAsync(key, sif, "sign");

    /// <summary>Signs as Singularity before 3.6 did (legacy SIFHASH): <paramref name="mode"/> group, object (the primary partition) or all (each object).</summary>
    public static Task SignLegacyAsync(GpgKey key, string sif, string mode) => SignAsync(key, sif, "sign-legacy-" + mode);

    /// <summary>The sif library's legacy verdicts, as <c>apptainer verify --legacy-insecure</c> (mode object), with group ids, or with <c>--all</c>.</summary>
    public static Task<List<string>> VerifyLegacyAsync(string sif, string mode, params string[] armoredKeys) => VerifyAsync("verify-legacy-" + mode, sif, armoredKeys);

    private static async Task SignAsync(GpgKey key, string sif, string command)
    {
        var secret = Path.Combine(Path.GetDirectoryName(sif)!, $"secret-{key.Fingerprint}.asc");
        await File.WriteAllTextAsync(secret, key.ExportSecret());
        var result = await ProcessRunner.RunAsync(await Binary.Value, [command, sif, secret], timeout: TimeSpan.FromMinutes(2));
        File.Delete(secret);
        if (result.ExitCode != 0) throw new InvalidOperationException($"sifsign sign failed: {result}");
    }

    /// <summary>The sif library's verdicts with these public keys: one line per signature, "&lt;id&gt; &lt;fingerprint&gt; ok|&lt;error&gt;", or "error …".</summary>
    public static Task<List<string>> VerifyAsync(string sif, params string[] armoredKeys) => VerifyAsync("verify", sif, armoredKeys);

    private static async Task<List<string>> VerifyAsync(string command, string sif, string[] armoredKeys)
    {
        var keys = armoredKeys.Select(_ => Path.Combine(Path.GetDirectoryName(sif)!, $"key-{Guid.NewGuid():N}.asc")).ToList();
        foreach (var (file, armored) in keys.Zip(armoredKeys)) await File.WriteAllTextAsync(file, armored);
        var result = await ProcessRunner.RunAsync(await Binary.Value, [command, sif, .. keys], timeout: TimeSpan.FromMinutes(2));
        keys.ForEach(File.Delete);
        if (result.ExitCode != 0) throw new InvalidOperationException($"sifsign verify failed: {result}");
        return [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static async Task<string> BuildAsync()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Signatures", "sifsign");
        if (!File.Exists(Path.Combine(source, "main.go"))) source = Path.Combine(RepoPaths.RepoRoot, "Registry.Tests", "Signatures", "sifsign");
        var work = Directory.CreateTempSubdirectory("registry-sifsign-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(work, recursive: true); } catch (IOException) { } };
        // GOPATH/src: every top-level of Debian's tree, github.com/* but sylabs, and sylabs/sif/v2 -> Debian's sif.
        var src = Path.Combine(work, "gopath", "src");
        var github = Path.Combine(src, "github.com");
        Directory.CreateDirectory(Path.Combine(github, "sylabs", "sif"));
        foreach (var dir in Directory.GetDirectories(GoCode).Where(d => Path.GetFileName(d) != "github.com"))
            File.CreateSymbolicLink(Path.Combine(src, Path.GetFileName(dir)), dir);
        foreach (var dir in Directory.GetDirectories(Path.Combine(GoCode, "github.com")).Where(d => Path.GetFileName(d) != "sylabs"))
            File.CreateSymbolicLink(Path.Combine(github, Path.GetFileName(dir)), dir);
        File.CreateSymbolicLink(Path.Combine(github, "sylabs", "sif", "v2"), Path.Combine(GoCode, "github.com", "sylabs", "sif"));

        var goCache = Environment.GetEnvironmentVariable("GOCACHE") is { Length: > 0 } c ? c : Path.Combine(Path.GetTempPath(), "registry-e2e-gocache");
        Directory.CreateDirectory(goCache);
        var binary = Path.Combine(work, "sifsign");
        var env = new Dictionary<string, string?>
        {
            ["GO111MODULE"] = "off", ["GOPATH"] = Path.Combine(work, "gopath"), ["GOCACHE"] = goCache, ["GOFLAGS"] = null, ["CGO_ENABLED"] = "0",
        };
        var result = await ProcessRunner.RunAsync("go", ["build", "-o", binary, "."], env, source, TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0 || !File.Exists(binary)) throw new InvalidOperationException($"building sifsign in {source} failed:\n{result}");
        return binary;
    }
}
