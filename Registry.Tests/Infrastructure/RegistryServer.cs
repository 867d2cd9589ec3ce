using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// The real registry server as a child process:
/// <c>dotnet Registry.Web/bin/&lt;Configuration&gt;/net10.0/Registry.Web.dll --urls http://127.0.0.1:&lt;port&gt;</c>
/// with <c>Registry__DataPath</c> pointing to a fresh temp directory (or one the test owns) and
/// <c>ASPNETCORE_ENVIRONMENT=Production</c>. The build output is first copied to a temp directory so that
/// a rebuild during the run cannot swap the binaries under the server or the admin CLI.
/// Captures its output; disposing kills it and deletes the copy and, unless the test owns it, the data.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly Dictionary<string, string?> _environment;
    private readonly bool _ownsData;

    public string BaseUrl { get; }
    public string DataPath { get; }
    /// <summary>The private copy of <c>Registry.Web/bin/&lt;Configuration&gt;/net10.0</c> the server runs from.</summary>
    public string AppDir { get; }
    public HttpClient Http { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    private string AppDll => Path.Combine(AppDir, "Registry.Web.dll");

    private RegistryServer(Process process, string baseUrl, string dataPath, bool ownsData, string appDir, Dictionary<string, string?> environment)
    {
        _ownsData = ownsData;
        _process = process;
        BaseUrl = baseUrl;
        DataPath = dataPath;
        AppDir = appDir;
        _environment = environment;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl + "/"), Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <summary>Everything the server wrote to stdout and stderr so far.</summary>
    public string Log
    {
        get { lock (_log) return string.Join('\n', _log); }
    }

    /// <summary>Number of captured output lines containing <paramref name="text"/> (ordinal, case-insensitive).</summary>
    public int CountLogLines(string text)
    {
        lock (_log) return _log.Count(l => l.Contains(text, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Waits until no new output arrives for <paramref name="quiet"/> (the console logger writes
    /// asynchronously), bounded by <paramref name="max"/>.
    /// </summary>
    public async Task WaitForQuietLogAsync(TimeSpan? quiet = null, TimeSpan? max = null)
    {
        var q = quiet ?? TimeSpan.FromMilliseconds(500);
        var deadline = DateTime.UtcNow + (max ?? TimeSpan.FromSeconds(10));
        int Count() { lock (_log) return _log.Count; }
        var last = Count();
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(q);
            var now = Count();
            if (now == last) return;
            last = now;
        }
    }

    /// <param name="settings">Environment overrides (<c>Section__Key</c>) on top of the defaults below.</param>
    /// <param name="dataPath">A data folder the test owns and keeps (to restart on the same bytes); default a fresh one deleted at the end.</param>
    public static async Task<RegistryServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, string? dataPath = null)
    {
        var dll = RepoPaths.WebDll;
        if (!File.Exists(dll))
            throw new FileNotFoundException($"{dll} not found; build the solution ({RepoPaths.Configuration}) first.", dll);

        var appDir = Directory.CreateTempSubdirectory("registry-e2e-app-").FullName;
        CopyDirectory(RepoPaths.WebBinDir, appDir);
        var ownsData = dataPath is null;
        dataPath ??= Directory.CreateTempSubdirectory("registry-e2e-data-").FullName;
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var environment = new Dictionary<string, string?>
        {
            ["Registry__DataPath"] = dataPath,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // No terms-of-service gate: these tests drive the library protocol with fresh users
            // who never sign in to the web UI (appsettings.json ships TermsVersion 1).
            ["Accounts__TermsVersion"] = "0",
            // Small parts so the 70 MB "big" image goes through several (the shipped default is 256 MiB).
            ["Registry__MultipartPartSize"] = (32 * 1024 * 1024).ToString(),
            ["DOTNET_ENVIRONMENT"] = null,
            ["ASPNETCORE_URLS"] = null,
            ["ASPNETCORE_HTTP_PORTS"] = null,
            ["ASPNETCORE_HTTPS_PORTS"] = null,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) environment[key] = value;

        var psi = NewStartInfo(environment, appDir, [Path.Combine(appDir, "Registry.Web.dll"), "--urls", baseUrl]);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var server = new RegistryServer(process, baseUrl, dataPath, ownsData, appDir, environment);
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

    /// <summary>
    /// Runs <c>dotnet Registry.Web.dll admin ARGS...</c> against the same data directory
    /// (the program performs the admin command and exits).
    /// </summary>
    public Task<ProcessResult> AdminAsync(params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [AppDll, "admin", .. args], _environment, AppDir, TimeSpan.FromMinutes(2));

    /// <summary>Like <see cref="AdminAsync"/> but throws (with the output) on a non-zero exit code.</summary>
    public async Task<ProcessResult> AdminOkAsync(params string[] args)
    {
        var r = await AdminAsync(args);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"admin {string.Join(' ', args)} failed: {r}");
        return r;
    }

    /// <summary><c>admin user add NAME [--admin] --password P</c>; returns the random password.</summary>
    public async Task<string> CreateUserAsync(string name, bool admin = false)
    {
        var password = "Pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) + "-aZ9!";
        List<string> args = ["user", "add", name];
        if (admin) args.Add("--admin");
        args.AddRange(["--password", password]);
        await AdminOkAsync([.. args]);
        return password;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly like a crash.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: false); // Process.Kill is SIGKILL on Unix
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary><c>admin token create NAME</c>; the token is the last line of stdout.</summary>
    public async Task<string> CreateTokenAsync(string name)
    {
        var r = await AdminOkAsync("token", "create", name);
        var token = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (string.IsNullOrEmpty(token))
            throw new InvalidOperationException($"admin token create {name} printed no token: {r}");
        return token;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException(
                    $"Registry server exited with code {_process.ExitCode} before answering /version.\n{Log}");
            try
            {
                using var response = await probe.GetAsync(BaseUrl + "/version");
                if (response.IsSuccessStatusCode) return;
                last = $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Registry server did not answer GET /version within {timeout} (last: {last}).\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.Add(line);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
    }

    private static ProcessStartInfo NewStartInfo(Dictionary<string, string?> environment, string workingDirectory, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        ProcessRunner.ApplyEnvironment(psi, environment);
        return psi;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await _process.WaitForExitAsync(cts.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException) { }
        _process.Dispose();

        foreach (var dir in _ownsData ? [DataPath, AppDir] : new[] { AppDir })
            for (var attempt = 0; attempt < 5 && Directory.Exists(dir); attempt++)
            {
                try { Directory.Delete(dir, recursive: true); }
                catch (IOException) { await Task.Delay(200); }
                catch (UnauthorizedAccessException) { await Task.Delay(200); }
            }
    }
}
