using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Faults;

/// <summary>
/// The real server as a child process on a data folder the test chooses, so it can be killed with SIGKILL and
/// started again on the same bytes. (<see cref="RegistryServer"/> always takes a fresh folder and deletes it.)
/// Does not delete the data folder: the test owns it.
/// </summary>
public sealed class FaultServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly Dictionary<string, string?> _environment;

    public string BaseUrl { get; }
    public string DataPath { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    private FaultServer(Process process, string baseUrl, string dataPath, Dictionary<string, string?> environment)
    {
        _process = process;
        BaseUrl = baseUrl;
        DataPath = dataPath;
        _environment = environment;
    }

    public string Log
    {
        get { lock (_log) return string.Join('\n', _log); }
    }

    /// <summary>Starts the server on <paramref name="dataPath"/> with rate limits out of the way; extra settings via <paramref name="settings"/> (env names like <c>Registry__X</c>).</summary>
    public static async Task<FaultServer> StartAsync(string dataPath, IReadOnlyDictionary<string, string>? settings = null)
    {
        if (!File.Exists(RepoPaths.WebDll))
            throw new FileNotFoundException($"{RepoPaths.WebDll} not found; build the solution first.", RepoPaths.WebDll);
        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        var environment = new Dictionary<string, string?>
        {
            ["Registry__DataPath"] = dataPath,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = null,
            ["ASPNETCORE_URLS"] = null,
            ["ASPNETCORE_HTTP_PORTS"] = null,
            ["ASPNETCORE_HTTPS_PORTS"] = null,
            ["RateLimits__ApiPerTokenPerMinute"] = "1000000",
            ["RateLimits__AnonymousPerAddressPerMinute"] = "1000000",
            ["Accounts__TermsVersion"] = "0", // the faults exercise the data path, not the sign-up flow
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;

        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.WebBinDir,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in new[] { RepoPaths.WebDll, "--urls", baseUrl }) psi.ArgumentList.Add(a);
        ProcessRunner.ApplyEnvironment(psi, environment);

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var server = new FaultServer(process, baseUrl, dataPath, environment);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data is null ? null : "[stderr] " + e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly like a crash.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: false); // Process.Kill is SIGKILL on Unix
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>
    /// Open file descriptors of the server process, without loaded assemblies and symbol files (the runtime opens those
    /// lazily, e.g. on the first logged stack trace, and keeps them: growth, not a leak).
    /// </summary>
    public int OpenFileDescriptors() => FileDescriptorTargets().Count(t => Kind(t) != "assembly");

    /// <summary>Open file descriptors by kind (socket, pipe, data file, other file, assembly), for messages.</summary>
    public string DescribeFileDescriptors() =>
        string.Join(", ", FileDescriptorTargets().GroupBy(Kind).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}"));

    private string Kind(string target) =>
        target.EndsWith(".dll") || target.EndsWith(".pdb") || target.Contains(".so") ? "assembly"
        : target.StartsWith(DataPath, StringComparison.Ordinal) ? "data:" + Path.GetFileName(target)
        : target.Contains(':') ? target[..target.IndexOf(':')]
        : "file";

    private List<string> FileDescriptorTargets()
    {
        var targets = new List<string>();
        foreach (var fd in Directory.GetFiles($"/proc/{Pid}/fd"))
        {
            try { targets.Add(new FileInfo(fd).LinkTarget ?? "?"); }
            catch (IOException) { } // closed between listing and reading
        }
        return targets;
    }

    /// <summary>Targets of the server's open file descriptors that are regular files under the data folder.</summary>
    public string[] OpenDataFiles()
    {
        var result = new List<string>();
        foreach (var fd in Directory.GetFiles($"/proc/{Pid}/fd"))
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith(DataPath, StringComparison.Ordinal)) result.Add(target);
            }
            catch (IOException) { } // closed between listing and reading
        }
        return [.. result];
    }

    public Task<ProcessResult> AdminAsync(params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [RepoPaths.WebDll, "admin", .. args], _environment, RepoPaths.WebBinDir, TimeSpan.FromMinutes(2));

    /// <summary>Creates a user (whose entity has the same name) and returns a token for it.</summary>
    public async Task<string> NewUserTokenAsync(string name)
    {
        var password = "Pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) + "-aZ9!";
        var add = await AdminAsync("user", "add", name, "--password", password);
        if (add.ExitCode != 0) throw new InvalidOperationException($"admin user add {name} failed: {add}");
        var token = await AdminAsync("token", "create", name);
        if (token.ExitCode != 0) throw new InvalidOperationException($"admin token create {name} failed: {token}");
        return token.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"server exited with code {_process.ExitCode} before answering /version.\n{Log}");
            try
            {
                using var response = await probe.GetAsync(BaseUrl + "/version");
                if (response.IsSuccessStatusCode) return;
                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"server did not answer /version within {timeout} (last: {last}).\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.Add(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) await KillHardAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException) { }
        _process.Dispose();
    }
}
