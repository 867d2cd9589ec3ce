using Registry.Core;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// Three registry processes on loopback ports, one PostgreSQL database (on a server of its own, which a test may stop and
/// start), one shared data folder, and HAProxy in front (TLS, round robin, stickiness cookie: the README's configuration).
/// Shared by the <c>ThreeNodes*Tests</c> classes of <see cref="NodesCollection"/>; nothing starts until one of them
/// asks (<see cref="ReadyAsync"/>), and each test gets all three nodes back in rotation, whatever the last one killed.
/// </summary>
public sealed class ThreeNodes : IAsyncLifetime
{
    /// <summary>How long an upload session lives on these nodes: short, so gc may remove a dead one within a test.</summary>
    public static readonly TimeSpan UploadLifetime = TimeSpan.FromSeconds(30);

    /// <summary>The most collections a non-admin may create in one entity on these nodes.</summary>
    public const int MaxCollections = 2;

    /// <summary>Multipart part size: a 24 MiB image goes up in three parts.</summary>
    public const int PartSize = 8 * 1024 * 1024;

    /// <summary>Three servers starting at once on two busy cores, each applying or awaiting the migrations.</summary>
    private static readonly TimeSpan StartWithin = TimeSpan.FromMinutes(3);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly RegistryServer?[] _nodes = new RegistryServer?[3];
    private readonly int[] _ports = [Loopback.FreePort(), Loopback.FreePort(), Loopback.FreePort()];
    private readonly Dictionary<string, Task<TestUser>> _users = [];
    private SelfSignedCertificate? _certificate;
    private PostgresServer? _postgres;
    private HaproxyBalancer? _balancer;
    private HostSetup? _setup;

    public string DataPath { get; } = Directory.CreateTempSubdirectory("registry-three-").FullName;
    /// <summary>Scratch space for SIF files and downloads.</summary>
    public string Work { get; } = Directory.CreateTempSubdirectory("registry-three-work-").FullName;

    public PostgresServer Postgres => _postgres ?? throw NotStarted();
    public HaproxyBalancer Balancer => _balancer ?? throw NotStarted();
    public SelfSignedCertificate Certificate => _certificate ?? throw NotStarted();
    public RegistryServer Node(int i) => _nodes[i] ?? throw NotStarted();
    /// <summary>The connection string of the nodes' database.</summary>
    public string DatabaseConnection => _setup?["Registry:DatabaseConnection"] ?? throw NotStarted();

    /// <summary>HAProxy's name for node <paramref name="i"/> (0–2).</summary>
    public static string NodeName(int i) => $"node{i + 1}";

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>
    /// Starts everything on first use (the three nodes at once on the empty database and folder: one applies the
    /// migrations, one makes the signing key); later, starts again on its port any node a test killed. Returns once
    /// HAProxy has all three in rotation.
    /// </summary>
    public async Task<ThreeNodes> ReadyAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_balancer is null)
                try { await StartAsync(); }
                catch { await StopAsync(); throw; } // the next test starts afresh
            for (var i = 0; i < 3; i++)
            {
                if (!_nodes[i]!.HasExited) continue;
                await _nodes[i]!.DisposeAsync();
                _nodes[i] = await RegistryServer.StartAsync(_setup, _ports[i], StartWithin);
            }
            for (var i = 0; i < 3; i++) await Balancer.WaitUntilAsync(NodeName(i), up: true);
            return this;
        }
        finally { _gate.Release(); }
    }

    private async Task StartAsync()
    {
        var build = GoDriver.GetBinaryAsync();
        _certificate = await SelfSignedCertificate.CreateAsync();
        _postgres = await PostgresServer.StartOwnAsync();
        _setup = new HostSetup
        {
            DataPath = DataPath,
            ["Registry:Database"] = nameof(DatabaseProvider.PostgreSql),
            ["Registry:DatabaseConnection"] = await _postgres.CreateDatabaseAsync(),
            ["ReverseProxy:KnownProxies:0"] = "127.0.0.1",
            ["Registry:MultipartPartSize"] = PartSize.ToString(),
            ["Registry:UploadUrlLifetime"] = UploadLifetime.ToString("c"),
            ["Registry:MaxCollectionsPerUser"] = MaxCollections.ToString(),
            ["Registry:GcInterval"] = "00:00:00", // gc only when a test runs it
            ["RateLimits:ApiPerTokenPerMinute"] = "1000000",
            ["RateLimits:AnonymousPerAddressPerMinute"] = "1000000",
        };
        var starting = _ports.Select(port => RegistryServer.StartAsync(_setup, port, StartWithin)).ToList();
        try { await Task.WhenAll(starting); }
        finally
        {
            for (var i = 0; i < 3; i++) if (starting[i].IsCompletedSuccessfully) _nodes[i] = starting[i].Result;
        }
        _balancer = await HaproxyBalancer.StartAsync(_certificate, _nodes.Select(n => n!).ToList());
        await build;
    }

    /// <summary>SIGKILL of node <paramref name="i"/>: no shutdown, no flushing, its connections cut.</summary>
    public Task KillAsync(int i) => Node(i).KillHardAsync();

    /// <summary>A user of these nodes with a password and a token, made once per <paramref name="role"/> for the whole class of tests.</summary>
    public Task<TestUser> UserAsync(string role)
    {
        lock (_users)
            return _users.TryGetValue(role, out var made) ? made : _users[role] = Node(0).NewUserAsync(RegistryFixture.Unique(role));
    }

    /// <summary>An https client of the balancer (trusting its certificate only), with a token when given.</summary>
    public HttpClient Client(string? token = null, TimeSpan? timeout = null)
    {
        var http = Certificate.Client(Balancer.BaseAddress, token);
        http.Timeout = timeout ?? TimeSpan.FromMinutes(2);
        return http;
    }

    /// <summary>The real Apptainer library client (Go driver) against the balancer, or against node <paramref name="node"/> directly.</summary>
    public Task<ProcessResult> LibAsync(string token, int? node, params string[] args)
    {
        var url = node is { } i ? Node(i).BaseUrl : Balancer.BaseAddress.ToString().TrimEnd('/');
        return GoDriver.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["SSL_CERT_FILE"] = Certificate.CertificatePem },
            ["-url", url, "-token", token, .. args]);
    }

    /// <summary>A pull through the balancer: the 303, then the signed download (anonymous, as the client follows it); null when not found.</summary>
    public async Task<byte[]?> PullAsync(string token, string reference)
    {
        using var http = Client(token);
        using var redirect = await http.GetAsync($"/v1/imagefile/{reference}");
        if (redirect.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        redirect.StatusCode.ShouldBe(System.Net.HttpStatusCode.SeeOther);
        using var anonymous = Client();
        return await anonymous.GetByteArrayAsync(redirect.Headers.Location);
    }

    /// <summary>Files under the shared folder's <paramref name="sub"/> (<c>blobs</c>, <c>tmp</c>).</summary>
    public IReadOnlyList<string> FilesUnder(string sub)
    {
        var dir = Path.Combine(DataPath, sub);
        return Directory.Exists(dir) ? Directory.GetFiles(dir, "*", SearchOption.AllDirectories) : [];
    }

    private async Task StopAsync()
    {
        if (_balancer is not null) await _balancer.DisposeAsync();
        for (var i = 0; i < 3; i++)
            if (_nodes[i] is { } node) { await node.DisposeAsync(); _nodes[i] = null; }
        if (_postgres is not null) await _postgres.DisposeOwnAsync();
        _certificate?.Dispose();
        (_balancer, _postgres, _certificate) = (null, null, null);
        lock (_users) _users.Clear();
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        foreach (var dir in new[] { DataPath, Work })
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static InvalidOperationException NotStarted() => new("call ReadyAsync first");
}
