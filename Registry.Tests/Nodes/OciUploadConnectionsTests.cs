using System.Net;
using System.Security.Cryptography;
using Npgsql;
using Registry.Tests.Infrastructure;
using Registry.Tests.Oci;
using Xunit.Abstractions;

namespace Registry.Tests.Nodes;

/// <summary>
/// More <c>/v2/</c> PATCH bodies streaming at once than the database takes connections: a PostgreSQL of its own started
/// with <c>max_connections</c> 30, two nodes on it with pools of 8, and 40 uploads held mid-body on one node. A streaming
/// upload holds no connection (its claim is a row, <c>ClusterLease</c>), so the database keeps room, both nodes keep
/// serving, and every upload then finishes whole (measured: 10 connections in use with the 40 streaming). With a
/// connection held per streaming PATCH (the advisory lock this replaced), the same run had 20 of the 40 cut off, their
/// lock connections refused by a full PostgreSQL, and anything else that needed a new connection failed with them.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class OciUploadConnectionsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int MaxConnections = 30, PoolSize = 8, Uploads = 40, Size = 1 << 20;

    private readonly string _data = Directory.CreateTempSubdirectory("registry-conns-").FullName;
    private readonly List<RegistryServer> _nodes = [];
    private PostgresServer? _postgres;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartOwnAsync(MaxConnections);
        _database = await _postgres.CreateDatabaseAsync();
        var setup = new HostSetup
        {
            DataPath = _data,
            ["Registry:Database"] = "PostgreSql",
            ["Registry:DatabaseConnection"] = $"{_database};Maximum Pool Size={PoolSize}",
            ["Registry:GcInterval"] = "00:00:00",
            ["RateLimits:ApiPerTokenPerMinute"] = "1000000",
            ["RateLimits:AnonymousPerAddressPerMinute"] = "1000000",
        };
        _nodes.Add(await RegistryServer.StartAsync(setup)); // the first alone: it applies the migrations
        _nodes.Add(await RegistryServer.StartAsync(setup));
    }

    [Fact]
    public async Task Forty_patches_streaming_at_once_hold_no_connection_and_both_nodes_keep_serving_then_all_finish_whole()
    {
        var user = await _nodes[0].NewUserAsync(RegistryFixture.Unique("conns"));
        var repo = $"{user.Name}/oci/many";
        var nodes = new List<OciClient>();
        foreach (var node in _nodes)
        {
            var client = new OciClient(new Uri(node.BaseUrl), user.Name, user.Token);
            (await client.LoginAsync($"repository:{repo}:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
            nodes.Add(client);
        }
        var blobs = Enumerable.Range(0, Uploads).Select(_ => RandomNumberGenerator.GetBytes(Size)).ToList();
        var sessions = new List<string>();
        for (var i = 0; i < Uploads; i++) sessions.Add(await StartAsync(nodes[i % 2], repo));

        var release = new TaskCompletionSource();
        var patches = sessions.Select((s, i) => nodes[0].Http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, s) { Content = new GatedBody(blobs[i], Size / 2, release.Task) })).ToList();
        try
        {
            await UntilAsync(async () => await ScalarAsync("""SELECT count(*) FROM "Leases" """) == Uploads, "not every PATCH holds its session");
            var connections = await ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()");
            output.WriteLine($"{Uploads} PATCHes streaming: {connections} connections to the database (max_connections {MaxConnections}, pools of {PoolSize})");
            connections.ShouldBeLessThan(2 * PoolSize + 8, "connections beyond the two pools and the nodes' job and notification connections");

            // Meanwhile both nodes serve: a new session on each, and the sessions in flight refuse a second writer.
            foreach (var node in nodes) sessions.Add(await StartAsync(node, repo));
            using (var second = await nodes[1].SendAsync(HttpMethod.Patch, sessions[0], [1, 2, 3]))
            {
                second.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable);
                (await second.Content.ReadAsStringAsync()).ShouldContain("another request is writing this upload session");
            }
        }
        finally { release.SetResult(); }

        foreach (var patch in patches) (await patch).StatusCode.ShouldBe(HttpStatusCode.Accepted, await (await patch).Content.ReadAsStringAsync());
        for (var i = 0; i < Uploads; i++)
        {
            using var put = await nodes[(i + 1) % 2].SendAsync(HttpMethod.Put, $"{sessions[i]}?digest={OciClient.Digest(blobs[i])}");
            put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        }
        for (var i = 0; i < Uploads; i += 13)
            (await nodes[i % 2].Http.GetByteArrayAsync($"/v2/{repo}/blobs/{OciClient.Digest(blobs[i])}")).ShouldBe(blobs[i]);
        (await ScalarAsync("""SELECT count(*) FROM "Leases" """)).ShouldBe(0); // every claim released with its request
    }

    private static async Task<string> StartAsync(OciClient through, string repo)
    {
        using var start = await through.SendAsync(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/");
        start.StatusCode.ShouldBe(HttpStatusCode.Accepted, await start.Content.ReadAsStringAsync());
        return start.Headers.Location!.ToString();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var db = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_database) { Pooling = false }.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>Waits (bounded, 60 s) for a state the servers reach on their own time.</summary>
    private static async Task UntilAsync(Func<Task<bool>> reached, string failure)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); !await reached(); await Task.Delay(200))
            if (DateTime.UtcNow > deadline) throw new TimeoutException(failure);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeOwnAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
