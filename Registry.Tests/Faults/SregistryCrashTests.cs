using System.Net;
using Registry.Tests.Api;
using Registry.Tests.Sregistry;

namespace Registry.Tests.Faults;

/// <summary>sregistry-cli's <c>/upload</c> against a separate server process: its memory while 1 GiB streams in, and kill -9 mid-file.</summary>
[Collection(FaultsCollection.Name)]
public sealed class SregistryCrashTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("registry-faults-sregistry-").FullName;
    private string Data => Path.Combine(_root, "data");

    [Fact]
    public async Task A_1_GiB_push_keeps_the_server_process_memory_flat()
    {
        await using var server = await FaultServer.StartAsync(Data);
        var client = new SregistryClient(new Uri(server.BaseUrl), "mem", await server.NewUserTokenAsync("mem"));
        (await client.PushAsync("memlab", "warm", "v1", SifBuilder.Bytes(8 << 20))).Status.ShouldBe(HttpStatusCode.OK); // JIT and pools warmed
        var before = server.ResidentBytes();
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested) { peak = Math.Max(peak, server.ResidentBytes()); await Task.Delay(50); }
        });

        var (status, body) = await client.PushAsync("memlab", "big", "v1", SifBuilder.Generated(1L << 30), 1L << 30);
        await sampling.CancelAsync();
        await sampler;

        status.ShouldBe(HttpStatusCode.OK, body?.ToJsonString());
        (peak - before).ShouldBeLessThan(64L << 20, $"RSS grew from {before >> 20} MiB to {peak >> 20} MiB during a 1 GiB push");
        (await client.GetAsync("/api/container/memlab/big:v1", ("memlab", "big", "v1"))).Body!["size"]!.GetValue<long>().ShouldBe(1L << 30);
    }

    [Fact]
    public async Task Kill_9_mid_upload_leaves_nothing_visible_and_the_same_push_works_after_the_restart()
    {
        var token = "";
        string cid;
        await using (var server = await FaultServer.StartAsync(Data))
        {
            token = await server.NewUserTokenAsync("kim");
            var client = new SregistryClient(new Uri(server.BaseUrl), "kim", token);
            (await client.PushAsync("kimlab", "seed", "v1", SifBuilder.Bytes(4000))).Status.ShouldBe(HttpStatusCode.OK);
            var (_, start) = await client.StartPushAsync("kimlab", "cut", "v1");
            cid = start!["cid"]!.ToString();
            using var socket = await client.BeginRawUploadAsync("kimlab", "cut", "v1", cid, 64L << 20);
            var file = SifBuilder.Generated(64L << 20);
            var chunk = new byte[1 << 20];
            for (var i = 0; i < 16; i++) { await file.ReadExactlyAsync(chunk); await socket.GetStream().WriteAsync(chunk); }
            for (var i = 0; i < 100 && !DataFolder.TempFiles(Data).Any(f => new FileInfo(f).Length > 0); i++) await Task.Delay(100);
            DataFolder.TempFiles(Data).ShouldNotBeEmpty("the server should be mid-file when it is killed");
            await server.KillHardAsync();
        }

        await using var restarted = await FaultServer.StartAsync(Data);
        DataFolder.TempFiles(Data).ShouldBeEmpty("the staged bytes of the cut-off upload must be gone once the server answers");
        DataFolder.IntegrityCheck(Data).ShouldBe("ok");
        var after = new SregistryClient(new Uri(restarted.BaseUrl), "kim", token);
        (await after.PullAsync("kimlab", "cut", "v1")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await after.GetAsync("/api/collection/kimlab", ("kimlab", "", ""))).Body!.ToJsonString().ShouldNotContain("\"cut\"");
        (await after.PullAsync("kimlab", "seed", "v1")).Status.ShouldBe(HttpStatusCode.OK);

        var again = SifBuilder.Bytes(300_000);
        (await after.PushAsync("kimlab", "cut", "v1", again)).Status.ShouldBe(HttpStatusCode.OK);
        (await after.PullAsync("kimlab", "cut", "v1")).Image.ShouldBe(again);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
