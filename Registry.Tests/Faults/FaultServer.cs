using Registry.Tests.Infrastructure;

namespace Registry.Tests.Faults;

/// <summary>
/// The real server (<see cref="RegistryServer"/>) on a data folder the test owns, so it can be killed with SIGKILL and
/// started again on the same bytes, with rate limits and the terms gate out of the way, and a view of its open files.
/// </summary>
public sealed class FaultServer : IAsyncDisposable
{
    private readonly RegistryServer _server;

    private FaultServer(RegistryServer server) => _server = server;

    public string BaseUrl => _server.BaseUrl;
    public string DataPath => _server.DataPath;
    public string Log => _server.Log;
    public bool HasExited => _server.HasExited;

    /// <summary>Starts the server on <paramref name="dataPath"/>, with <paramref name="more"/> settings on top.</summary>
    public static async Task<FaultServer> StartAsync(string dataPath, HostSetup? more = null)
    {
        var options = new HostSetup
        {
            DataPath = dataPath,
            ["RateLimits:ApiPerTokenPerMinute"] = "1000000",
            ["RateLimits:AnonymousPerAddressPerMinute"] = "1000000",
        };
        return new FaultServer(await RegistryServer.StartAsync(options.With(more)));
    }

    public Task KillHardAsync() => _server.KillHardAsync();

    public Task<ProcessResult> AdminAsync(params string[] args) => _server.AdminAsync(args);

    /// <summary>Creates a user (whose entity has the same name) and returns its password.</summary>
    public Task<string> CreateUserAsync(string name) => _server.CreateUserAsync(name);

    public Task<string> CreateTokenAsync(string name) => _server.CreateTokenAsync(name);

    /// <summary>Creates a user (whose entity has the same name) and returns a token for it.</summary>
    public async Task<string> NewUserTokenAsync(string name) => (await _server.NewUserAsync(name)).Token;

    /// <summary>The server process's resident memory (VmRSS), in bytes.</summary>
    public long ResidentBytes() =>
        long.Parse(File.ReadLines($"/proc/{_server.Pid}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

    /// <summary>
    /// Open file descriptors of the server process, without loaded assemblies and symbol files (the runtime opens those
    /// lazily, e.g. on the first logged stack trace, and keeps them: growth, not a leak).
    /// </summary>
    public int OpenFileDescriptors() => FileDescriptorTargets().Count(t => Kind(t) != "assembly");

    /// <summary>Open file descriptors by kind (socket, pipe, data file, other file, assembly), for messages.</summary>
    public string DescribeFileDescriptors() =>
        string.Join(", ", FileDescriptorTargets().GroupBy(Kind).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}"));

    /// <summary>Targets of the server's open file descriptors that are regular files under the data folder.</summary>
    public string[] OpenDataFiles() => [.. FileDescriptorTargets().Where(t => t.StartsWith(DataPath, StringComparison.Ordinal))];

    private string Kind(string target) =>
        target.EndsWith(".dll") || target.EndsWith(".pdb") || target.Contains(".so") ? "assembly"
        : target.StartsWith(DataPath, StringComparison.Ordinal) ? "data:" + Path.GetFileName(target)
        : target.Contains(':') ? target[..target.IndexOf(':')]
        : "file";

    private List<string> FileDescriptorTargets()
    {
        var targets = new List<string>();
        foreach (var fd in Directory.GetFiles($"/proc/{_server.Pid}/fd"))
        {
            try { targets.Add(new FileInfo(fd).LinkTarget ?? "?"); }
            catch (IOException) { } // closed between listing and reading
        }
        return targets;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
