using System.Diagnostics;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// The real registry server as a child process (<c>dotnet Registry.Web.dll --urls http://127.0.0.1:&lt;port&gt;</c>, run
/// from a private copy of the build output, <see cref="RepoPaths.CopyWebBin"/>), for what the in-process host cannot
/// do: SIGKILL, the admin CLI on the same data, the real Go client and browser against a long-lived server.
/// Captures its output; disposing kills it and deletes the copy and, unless the test owns it, the data.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessOutput _log = new();
    private readonly Dictionary<string, string?> _environment;
    private readonly bool _ownsData;
    private string? _postgres; // the database made for this server on the run's PostgreSQL, dropped with it

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
    public string Log => _log.Text;

    /// <summary>Number of captured output lines containing <paramref name="text"/> (ordinal, case-insensitive).</summary>
    public int CountLogLines(string text) => _log.CountLines(text);

    /// <inheritdoc cref="ProcessOutput.WaitForQuietAsync"/>
    public Task WaitForQuietLogAsync(TimeSpan? quiet = null, TimeSpan? max = null) => _log.WaitForQuietAsync(quiet, max);

    /// <param name="options">Settings on top of the defaults below (passed as <c>Section__Key</c> variables) and the data folder;
    /// service replacements need the in-process host (<see cref="Api.RegistryApiFactory"/>).</param>
    /// <param name="port">The loopback port to listen on (a node started again where a load balancer expects it); default a free one.</param>
    /// <param name="readyWithin">How long it may take to answer (default 60 s; several servers starting at once take longer).</param>
    public static async Task<RegistryServer> StartAsync(HostSetup? options = null, int? port = null, TimeSpan? readyWithin = null)
    {
        if (options?.Services is not null) throw new ArgumentException("a server process takes settings only", nameof(options));
        var dataPath = options?.DataPath;
        var dll = RepoPaths.WebDll;
        if (!File.Exists(dll))
            throw new FileNotFoundException($"{dll} not found; build the solution ({RepoPaths.Configuration}) first.", dll);

        var appDir = RepoPaths.CopyWebBin();
        var ownsData = dataPath is null;
        dataPath ??= Directory.CreateTempSubdirectory("registry-e2e-data-").FullName;
        var baseUrl = $"http://127.0.0.1:{port ?? Loopback.FreePort()}";
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
        string? postgres = null;
        if (options?.Database == Registry.Core.DatabaseProvider.PostgreSql)
        {
            postgres = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
            (environment["Registry__Database"], environment["Registry__DatabaseConnection"]) = ("PostgreSql", postgres);
        }
        foreach (var (key, value) in options?.AsEnvironment() ?? []) environment[key] = value;

        var psi = ProcessRunner.StartInfo("dotnet", [Path.Combine(appDir, "Registry.Web.dll"), "--urls", baseUrl], environment, appDir);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var server = new RegistryServer(process, baseUrl, dataPath, ownsData, appDir, environment) { _postgres = postgres };
        process.OutputDataReceived += (_, e) => server._log.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server._log.Append(e.Data is null ? null : "[stderr] " + e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try { await server.WaitUntilReadyAsync(readyWithin ?? TimeSpan.FromSeconds(60)); }
        catch { await server.DisposeAsync(); throw; }
        return server;
    }

    /// <summary>
    /// Runs <c>dotnet Registry.Web.dll admin ARGS...</c> against the same data directory
    /// (the program performs the admin command and exits).
    /// </summary>
    public Task<ProcessResult> AdminAsync(params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [AppDll, "admin", .. args], _environment, AppDir, TimeSpan.FromMinutes(2));

    /// <summary>Starts <c>admin ARGS...</c> and returns at once, its output lines going to <paramref name="output"/>: for a test that watches it wait.</summary>
    public Process StartAdmin(ProcessOutput output, params string[] args)
    {
        var process = new Process { StartInfo = ProcessRunner.StartInfo("dotnet", [AppDll, "admin", .. args], _environment, AppDir) };
        process.OutputDataReceived += (_, e) => output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => output.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly like a crash.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: false); // Process.Kill is SIGKILL on Unix
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(cts.Token);
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


    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Loopback.StopAsync(_process, entireTree: true);
        _process.Dispose();
        if (_postgres is not null) await (await PostgresServer.GetAsync()).DropDatabaseAsync(_postgres);

        foreach (var dir in _ownsData ? [DataPath, AppDir] : new[] { AppDir })
            for (var attempt = 0; attempt < 5 && Directory.Exists(dir); attempt++)
            {
                try { Directory.Delete(dir, recursive: true); }
                catch (IOException) { await Task.Delay(200); }
                catch (UnauthorizedAccessException) { await Task.Delay(200); }
            }
    }
}
