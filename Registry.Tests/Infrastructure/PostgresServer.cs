using Npgsql;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL server for the whole test run (Debian's <c>postgresql</c> package, installed by test.sh):
/// <c>initdb</c> into a temp folder (as the <c>postgres</c> user when the tests run as root, since PostgreSQL refuses
/// root), listening on a free 127.0.0.1 port with its unix socket in that folder, started on first use and stopped by
/// its PID when the test process exits. Every test host gets a database of its own (<see cref="CreateDatabaseAsync"/>).
/// xunit 2 has no assembly fixture: this lazy singleton is one. A test that takes the database away (a restart under load)
/// starts a server of its own instead (<see cref="StartOwnAsync"/>).
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(() => StartAsync(400));

    private readonly string _root;
    private readonly int _port;
    private readonly bool _asRoot = Environment.UserName == "root";
    private readonly int _maxConnections;
    private int _pid;
    private int _stopped;

    private PostgresServer(string root, int port, int maxConnections) => (_root, _port, _maxConnections) = (root, port, maxConnections);

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>
    /// A server of the caller's own, not the run's shared one: for a test that stops and starts it (an outage) without
    /// hurting the other tests, or one that takes fewer connections (<paramref name="maxConnections"/>). Stopped by
    /// <see cref="DisposeOwnAsync"/> (or the watchdog, or the test process's exit).
    /// </summary>
    public static Task<PostgresServer> StartOwnAsync(int maxConnections = 400) => StartAsync(maxConnections);

    /// <summary>Fast shutdown (open connections are cut, as in a crash or failover), waiting until it is down.</summary>
    public Task StopServingAsync() =>
        RunAsync(_asRoot, Path.Combine(BinDirectory(), "pg_ctl"), "-D", Path.Combine(_root, "data"), "-m", "fast", "-w", "-t", "60", "stop");

    /// <summary>Starts a stopped server again, on the same port and data.</summary>
    public async Task StartServingAsync()
    {
        await StartPostmasterAsync(BinDirectory());
        _pid = ReadPid();
    }

    /// <summary>Stops an own server (<see cref="StartOwnAsync"/>) and removes its folder.</summary>
    public Task DisposeOwnAsync() => Task.Run(Stop);

    /// <summary>A fresh, empty database (the registry's migrations make its tables) and its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "registry_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(Connection("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        return Connection(name);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing whatever still uses it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        await using (var used = new NpgsqlConnection(connectionString)) NpgsqlConnection.ClearPool(used);
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var admin = new NpgsqlConnection(Connection("postgres"));
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    // Pools that close idle connections soon: many hosts come and go during a run, each with its own database.
    private string Connection(string database) =>
        $"Host=127.0.0.1;Port={_port};Database={database};Username=postgres;Connection Idle Lifetime=10;Timeout=30;Command Timeout=60";

    private static async Task<PostgresServer> StartAsync(int maxConnections)
    {
        var bin = BinDirectory();
        RemoveAbandoned();
        var root = Directory.CreateTempSubdirectory("registry-pg-").FullName;
        var server = new PostgresServer(root, Loopback.FreePort(), maxConnections);
        if (server._asRoot) (await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", root])).ExitCode.ShouldBe(0);
        var data = Path.Combine(root, "data");
        // C ordering and UTF-8: strings sort by code point, as SQLite's BINARY collation does.
        await server.RunAsync(server._asRoot, Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "--no-locale", "-E", "UTF8", "--no-sync");
        await server.StartPostmasterAsync(bin);
        server._pid = server.ReadPid();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        server.StopWhenTestsEnd();
        return server;
    }

    private Task StartPostmasterAsync(string bin) =>
        RunAsync(_asRoot, Path.Combine(bin, "pg_ctl"), "-D", Path.Combine(_root, "data"), "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60", "start", "-o",
            $"-p {_port} -k {_root} -c listen_addresses=127.0.0.1 -c max_connections={_maxConnections} -c fsync=off -c synchronous_commit=off -c full_page_writes=off");

    private int ReadPid() => int.Parse(File.ReadLines(Path.Combine(_root, "data", "postmaster.pid")).First());

    /// <summary>
    /// A watchdog for when the test process ends without running its exit handlers (killed by the runner's timeout):
    /// once that process is gone, the postmaster gets SIGINT by its PID and, when it has exited, the folder goes.
    /// </summary>
    private void StopWhenTestsEnd()
    {
        // The postmaster's PID is read from its file at the end: a server restarted by a test has a new one.
        var pidFile = Path.Combine(_root, "data", "postmaster.pid");
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; pid=$(head -n 1 '{pidFile}' 2>/dev/null); "
            + $"[ -n \"$pid\" ] && kill -INT $pid 2>/dev/null; while [ -n \"$pid\" ] && kill -0 $pid 2>/dev/null; do sleep 0.2; done; rm -rf '{_root}'";
        var watchdog = new System.Diagnostics.ProcessStartInfo("setsid", ["sh", "-c", script]) { UseShellExecute = false };
        System.Diagnostics.Process.Start(watchdog)?.Dispose();
    }

    /// <summary>Fast shutdown (SIGINT) of the postmaster by its PID, then the folder goes.</summary>
    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return; // once: its PID may belong to another process later
        try
        {
            using var postmaster = System.Diagnostics.Process.GetProcessById(_pid);
            ProcessRunner.RunAsync("kill", ["-INT", _pid.ToString()]).GetAwaiter().GetResult();
            postmaster.WaitForExit(TimeSpan.FromSeconds(20));
        }
        catch (ArgumentException) { } // already gone
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Folders of earlier runs whose server is gone (a test process killed, or ended before its folder was deleted).</summary>
    private static void RemoveAbandoned()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), "registry-pg-*"))
        {
            var pidFile = Path.Combine(dir, "data", "postmaster.pid");
            if (Directory.GetLastWriteTimeUtc(dir) > DateTime.UtcNow.AddHours(-1) || (File.Exists(pidFile) && IsRunning(pidFile))) continue;
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static bool IsRunning(string pidFile)
    {
        try { return int.TryParse(File.ReadLines(pidFile).First(), out var pid) && Directory.Exists($"/proc/{pid}"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException) { return true; }
    }

    private async Task RunAsync(bool asRoot, string program, params string[] args)
    {
        var result = asRoot
            ? await ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", program, .. args], workingDirectory: _root)
            : await ProcessRunner.RunAsync(program, args, workingDirectory: _root);
        result.ExitCode.ShouldBe(0, $"{Path.GetFileName(program)} failed: {result}");
    }

    /// <summary>The newest installed server's programs (Debian keeps them off PATH, in /usr/lib/postgresql/N/bin).</summary>
    private static string BinDirectory() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault() ?? throw new InvalidOperationException("no PostgreSQL server in /usr/lib/postgresql: run Registry.Tests/test.sh (installs postgresql)")
            : throw new InvalidOperationException("PostgreSQL is not installed: run Registry.Tests/test.sh (installs postgresql)");

}
