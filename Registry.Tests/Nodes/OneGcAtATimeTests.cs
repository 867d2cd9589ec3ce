using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;
using Registry.Core.Nodes;
using Registry.Core.Storage;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// gc runs on one node (or admin CLI) at a time, never taking what a live upload on another node writes. The proof is
/// what the product records: every gc run is an audit event (<c>storage.gc</c>, its process, start and end).
/// </summary>
[Collection(NodesCollection.Name)]
public sealed partial class OneGcAtATimeTests
{
    [Fact]
    public async Task Two_nodes_collecting_every_second_while_pushes_run_never_collect_at_once_and_lose_nothing()
    {
        await using var nodes = await SharedNodes.StartAsync(2, new HostSetup
        {
            ["Registry:GcInterval"] = "00:00:01",
            ["Registry:UploadUrlLifetime"] = "00:00:30", // abandoned uploads expire during the test, for gc to sweep
            ["Registry:MultipartPartSize"] = (5 * 1024 * 1024).ToString(),
        });
        var owner = RegistryFixture.Unique("gcnodes");
        await nodes[0].CreateUserAsync(owner);
        var token = await nodes[0].CreateTokenAsync(owner);
        var clients = nodes.Nodes.Select(n => new LibraryClient(TestHttp.Client(new Uri(n.BaseUrl), token))).ToArray();
        var pushed = new ConcurrentDictionary<string, byte[]>();
        pushed["seed"] = SifBuilder.Bytes(4096);
        await clients[0].PushAsync(owner, "tools", "seed", pushed["seed"], "v1"); // makes the collection

        // 15 s of pushes through both nodes: small ones, multipart ones whose parts come through both nodes seconds apart
        // (gc runs meanwhile), and multipart ones abandoned after a part, whose staged bytes gc sweeps once they expire.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var small = Enumerable.Range(0, 3).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; DateTime.UtcNow < until; i++)
            {
                var file = SifBuilder.Bytes(256 * 1024 + i);
                await clients[(worker + i) % 2].PushAsync(owner, "tools", $"small-{worker}-{i}", file, "v1");
                pushed[$"small-{worker}-{i}"] = file;
            }
        })).ToList();
        var slow = Task.Run(async () =>
        {
            for (var i = 0; DateTime.UtcNow < until; i++)
            {
                var file = SifBuilder.Bytes(6 * 1024 * 1024 + i);
                await new MultipartPush(clients[i % 2], clients[(i + 1) % 2], owner, $"slow-{i}", file).RunAsync(pauseBetweenParts: TimeSpan.FromSeconds(2));
                pushed[$"slow-{i}"] = file;
            }
        });
        var abandoned = Task.Run(async () =>
        {
            for (var i = 0; DateTime.UtcNow < until; i++)
            {
                await new MultipartPush(clients[i % 2], clients[i % 2], owner, $"abandoned-{i}", SifBuilder.Bytes(6 * 1024 * 1024)).AbandonAfterFirstPartAsync();
                await Task.Delay(2000);
            }
        });
        await Task.WhenAll([.. small, slow, abandoned]);

        // An operator (here: the test) holding the gc lock holds every node's gc off.
        var (held, released) = await HoldGcLockAsync(nodes.Database, TimeSpan.FromSeconds(3));
        // Every abandoned upload expires 30 s after it started: gc sweeps its staged bytes; the live ones all completed.
        var tmp = Path.Combine(nodes.DataPath, "tmp");
        for (var i = 0; i < 180 && Directory.EnumerateFiles(tmp).Any(); i++) await Task.Delay(500);
        Directory.EnumerateFiles(tmp).ShouldBeEmpty("gc did not sweep the staged bytes of the expired uploads");

        var runs = await GcRunsAsync(nodes.Database);
        runs.Select(r => r.Pid).Distinct().Count().ShouldBe(2, "both nodes run the scheduled gc");
        runs.ShouldContain(r => r.Sessions > 0, "gc removed finished or expired upload sessions while pushes ran");
        ShouldNotOverlap(runs);
        runs.ShouldNotContain(r => r.Start < released && r.End > held, "a gc ran while the test held the gc lock");
        runs.ShouldContain(r => r.Start > released, "gc did not resume after the lock was released");

        var verify = await nodes[1].AdminAsync("verify");
        verify.ExitCode.ShouldBe(0, verify.ToString());
        verify.Stdout.ShouldContain(" 0 mismatches, 0 missing");
        foreach (var (name, file) in pushed)
            for (var node = 0; node < 2; node++)
                (await clients[node].PullAsync($"{owner}/tools/{name}:v1")).ShouldBe(file, $"{name} through node {node}");
    }

    [Fact]
    public async Task On_sqlite_the_admin_clis_gc_and_the_servers_take_turns()
    {
        await using var server = await RegistryServer.StartAsync(new HostSetup { ["Registry:GcInterval"] = "00:00:01" });
        var lockFile = ClusterJobLock.LockFile(server.DataPath, ScheduledGc.LockName);
        Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);

        // The server's flock, held by another process (the test, once the server's own gc lets go): the server skips, admin gc waits.
        var hold = await HoldAsync(lockFile);
        DateTime held = DateTime.UtcNow, released;
        var output = new ProcessOutput();
        using var cli = server.StartAdmin(output, "gc");
        try
        {
            await using (hold)
            {
                for (var i = 0; i < 480 && output.CountLines("waiting for it to end") == 0 && !cli.HasExited; i++) await Task.Delay(250);
                output.Text.ShouldContain("a gc is running (on a server, or another admin gc); waiting for it to end");
                await Task.Delay(TimeSpan.FromSeconds(3)); // the server's gc would have run three times
                cli.HasExited.ShouldBeFalse("admin gc ran while the gc lock was held");
                released = DateTime.UtcNow;
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await cli.WaitForExitAsync(timeout.Token);
            cli.ExitCode.ShouldBe(0, output.Text);
        }
        finally
        {
            if (!cli.HasExited) cli.Kill();
        }
        // Then admin gc runs back to back beside the server's every-second gc.
        for (var i = 0; i < 4; i++) (await server.AdminAsync("gc")).ExitCode.ShouldBe(0);

        var runs = await GcRunsAsync(SqliteAudit(server.DataPath));
        runs.Count(r => r.Pid == server.Pid).ShouldBeGreaterThan(2);
        runs.Count(r => r.Pid != server.Pid).ShouldBe(5, "every admin gc ran, once");
        ShouldNotOverlap(runs);
        runs.ShouldNotContain(r => r.Start < released && r.End > held, "a gc ran while the test held the gc lock");
    }

    private static async Task<FileStream> HoldAsync(string lockFile)
    {
        for (var attempt = 0; ; attempt++)
            try { return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (attempt < 400) { await Task.Delay(25); }
    }

    private sealed record GcRun(int Pid, DateTime Start, DateTime End, int Sessions);

    private static void ShouldNotOverlap(List<GcRun> runs)
    {
        var ordered = runs.OrderBy(r => r.Start).ToList();
        for (var i = 1; i < ordered.Count; i++)
            ordered[i].Start.ShouldBeGreaterThanOrEqualTo(ordered[i - 1].End, $"gc of pid {ordered[i].Pid} started before the one of pid {ordered[i - 1].Pid} ended");
    }

    private static async Task<(DateTime Held, DateTime Released)> HoldGcLockAsync(string database, TimeSpan howLong)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var take = new NpgsqlCommand($"SELECT pg_advisory_lock({ClusterJobLock.AdvisoryKey(ScheduledGc.LockName)})", connection);
        await take.ExecuteNonQueryAsync();
        var held = DateTime.UtcNow;
        await Task.Delay(howLong);
        var released = DateTime.UtcNow;
        await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({ClusterJobLock.AdvisoryKey(ScheduledGc.LockName)})", connection);
        await release.ExecuteNonQueryAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // a few more runs after
        return (held, released);
    }

    private static async Task<List<GcRun>> GcRunsAsync(string postgres)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""SELECT "Detail" FROM "AuditEvents" WHERE "Action" = 'storage.gc'""", connection);
        return Parse(await ReadAllAsync(await query.ExecuteReaderAsync()));
    }

    private static async Task<List<GcRun>> GcRunsAsync(SqliteConnection sqlite)
    {
        await using (sqlite)
        {
            await sqlite.OpenAsync();
            await using var query = sqlite.CreateCommand();
            query.CommandText = """SELECT "Detail" FROM "AuditEvents" WHERE "Action" = 'storage.gc'""";
            return Parse(await ReadAllAsync(await query.ExecuteReaderAsync()));
        }
    }

    private static SqliteConnection SqliteAudit(string dataPath) => new($"Data Source={Path.Combine(dataPath, "registry.db")};Mode=ReadOnly");

    private static async Task<List<string>> ReadAllAsync(System.Data.Common.DbDataReader reader)
    {
        var details = new List<string>();
        await using (reader) while (await reader.ReadAsync()) details.Add(reader.GetString(0));
        return details;
    }

    private static List<GcRun> Parse(List<string> details) => details.Select(d => (Detail: d, Match: GcDetail().Match(d))).Select(x => x.Match.Success
        ? new GcRun(int.Parse(x.Match.Groups[1].Value), Time(x.Match.Groups[2].Value), Time(x.Match.Groups[3].Value), int.Parse(x.Match.Groups[4].Value))
        : throw new ShouldAssertException($"not a gc run: {x.Detail}")).ToList();

    private static DateTime Time(string text) => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    [GeneratedRegex(@" pid (\d+), (\S+) to (\S+): freed \d+ bytes in \d+ blobs and \d+ staged bytes of (\d+) upload sessions")]
    private static partial Regex GcDetail();
}
