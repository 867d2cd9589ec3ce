using System.Net;
using Registry.Tests.Api;
using Xunit.Abstractions;

namespace Registry.Tests.Faults;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultsCollection
{
    public const string Name = "Faults";
}

/// <summary>kill -9 in the middle of many concurrent pushes, then a restart on the same data folder.</summary>
[Collection(FaultsCollection.Name)]
public sealed class CrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("registry-faults-crash-").FullName;
    private string Data => Path.Combine(_root, "data");

    private sealed record Push(string Container, byte[] File, string Kind)
    {
        public string Hash => "sha256." + FaultClient.Sha256Hex(File);
        public bool Completed { get; set; }
    }

    [Fact]
    public async Task Kill_9_during_concurrent_pushes_leaves_only_complete_images_and_the_server_recovers()
    {
        await using var server = await FaultServer.StartAsync(Data);
        var token = await server.NewUserTokenAsync("crash");
        var random = new Random(5);
        var pushes = new List<Push>();
        // done: pushed and completed before the kill; stalled: frozen mid-body; received: bytes verified, never completed;
        // racing: unthrottled pushes still running when the kill lands (any outcome, but never a broken one).
        foreach (var (kind, count) in new[] { ("done", 12), ("stalled", 12), ("received", 6), ("racing", 10) })
            for (var i = 0; i < count; i++)
                pushes.Add(new Push($"{kind}{i}", SifBuilder.Bytes(random.Next(64 * 1024, 3 * 1024 * 1024)), kind));

        var never = new TaskCompletionSource(); // the stalled bodies never resume: the kill ends them
        var stalls = new List<Task>();
        var running = new List<Task>();
        using (var client = new FaultClient(server.BaseUrl, token))
        {
            await client.EnsureContainerAsync("crash", "c", "first"); // the collection, before concurrent pushes race to create it
            foreach (var p in pushes.Where(p => p.Kind == "done"))
                running.Add(Task.Run(async () => { await client.PushAsync("crash", "c", p.Container, p.File); p.Completed = true; }));
            foreach (var p in pushes.Where(p => p.Kind is "stalled" or "received"))
            {
                var containerId = await client.EnsureContainerAsync("crash", "c", p.Container);
                var (imageId, _) = await client.CreateImageAsync(containerId, p.File);
                var (url, start) = await client.StartUploadAsync(imageId, p.File);
                url.ShouldNotBeNull(start.ToString());
                if (p.Kind == "received")
                {
                    (await client.PutBytesAsync(url, new ByteArrayContent(p.File))).Status.ShouldBe(HttpStatusCode.OK);
                    continue;
                }
                var body = new StallingContent(p.File, p.File.Length / 2, never.Task);
                _ = client.PutBytesAsync(url, body).ContinueWith(t => t.Exception, TaskScheduler.Default); // fails when the server dies
                stalls.Add(body.Stalled);
            }
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromMinutes(2));
            await Task.WhenAll(stalls).WaitAsync(TimeSpan.FromMinutes(1));

            var racing = pushes.Where(p => p.Kind == "racing")
                .Select(p => Task.Run(() => client.PushAsync("crash", "c", p.Container, p.File))).ToList();
            await Task.Delay(300); // let some of them get somewhere; whatever they reached is fine
            await server.KillHardAsync();
            await Task.WhenAll(racing.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(TimeSpan.FromMinutes(1));
            foreach (var (p, t) in pushes.Where(p => p.Kind == "racing").Zip(racing)) p.Completed = t.IsCompletedSuccessfully;
        }
        output.WriteLine($"temp files left by the crash: {DataFolder.TempFiles(Data).Length}; racing pushes finished: {pushes.Count(p => p.Kind == "racing" && p.Completed)}/10");
        DataFolder.TempFiles(Data).ShouldNotBeEmpty("the stalled uploads should have left temp files for the restart to clean up");

        await using var restarted = await FaultServer.StartAsync(Data);
        DataFolder.TempFiles(Data).ShouldBeEmpty("temp files of interrupted uploads must be gone once the server answers");
        DataFolder.IntegrityCheck(Data).ShouldBe("ok");
        DataFolder.CorruptBlobs(Data).ShouldBeEmpty();

        using var after = new FaultClient(restarted.BaseUrl, token);
        foreach (var p in pushes)
        {
            var byHash = await after.GetImageAsync($"crash/c/{p.Container}:{p.Hash}");
            var visible = byHash.Status == HttpStatusCode.OK && (bool)byHash.Json!["data"]!["uploaded"]!;
            if (p.Kind == "done") visible.ShouldBeTrue($"{p.Container} was pushed completely before the kill: {byHash}");
            if (p.Kind is "stalled" or "received")
            {
                visible.ShouldBeFalse($"{p.Container} never completed but is visible: {byHash}");
                (await after.GetImageAsync($"crash/c/{p.Container}:latest")).Status.ShouldBe(HttpStatusCode.NotFound);
            }
            if (p.Kind == "racing" && p.Completed) visible.ShouldBeTrue($"{p.Container}: the client saw the push succeed: {byHash}");
            if (!visible)
            {
                var (location, answer) = await after.DownloadUrlAsync($"crash/c/{p.Container}:{p.Hash}");
                location.ShouldBeNull($"{p.Container} is not uploaded but downloadable");
                answer.Status.ShouldBe(HttpStatusCode.NotFound);
                continue;
            }
            ((long)byHash.Json!["data"]!["size"]!).ShouldBe(p.File.LongLength, p.Container);
            var pulled = await after.DownloadAsync($"crash/c/{p.Container}:{p.Hash}");
            ("sha256." + FaultClient.Sha256Hex(pulled)).ShouldBe(p.Hash, $"{p.Container}: pulled bytes differ");
        }

        // Pushes work again: the interrupted ones (same image rows, a fresh session) and a new one.
        foreach (var p in pushes.Where(p => p.Kind is "stalled" or "received").Take(4).Append(new Push("fresh", SifBuilder.Bytes(500_000), "fresh")))
        {
            await after.PushAsync("crash", "c", p.Container, p.File, "v2");
            (await after.DownloadAsync($"crash/c/{p.Container}:v2")).ShouldBe(p.File);
        }
        DataFolder.TempFiles(Data).ShouldBeEmpty();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }
}
