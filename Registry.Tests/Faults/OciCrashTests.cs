using System.Net;
using System.Net.Http.Headers;
using Registry.Tests.Api;
using Registry.Tests.Oci;

namespace Registry.Tests.Faults;

/// <summary>kill -9 of a separate server process while a blob streams in through <c>/v2/</c>, then a restart on the same data.</summary>
[Collection(FaultsCollection.Name)]
public sealed class OciCrashTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("registry-faults-oci-").FullName;
    private string Data => Path.Combine(_root, "data");

    [Fact]
    public async Task Kill_9_during_a_streamed_blob_PATCH_leaves_nothing_visible_and_the_restart_drops_the_staged_bytes()
    {
        var blob = SifBuilder.Bytes(48 << 20);
        var digest = OciClient.Digest(blob);
        var seed = SifBuilder.Bytes(100_000);
        string token, session;
        await using (var server = await FaultServer.StartAsync(Data))
        {
            token = await server.NewUserTokenAsync("okim");
            var oci = await LoginAsync(server, token);
            (await oci.PushSifAsync("okim/lab/seed", "v1", seed)).Response.StatusCode.ShouldBe(HttpStatusCode.Created);
            using var start = await oci.SendAsync(HttpMethod.Post, "/v2/okim/lab/cut/blobs/uploads/");
            start.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            session = start.Headers.Location!.ToString();

            // One streamed PATCH as apptainer and skopeo send it (no Content-Range), frozen after 16 MiB of 48.
            var body = new StallingContent(blob, 16 << 20, new TaskCompletionSource().Task);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            var patch = oci.SendAsync(HttpMethod.Patch, session, setup: r => r.Content = body);
            _ = patch.ContinueWith(t => t.Exception, TaskScheduler.Default); // fails when the server dies
            await body.Stalled.WaitAsync(TimeSpan.FromMinutes(1));
            for (var i = 0; i < 100 && !DataFolder.TempFiles(Data).Any(f => new FileInfo(f).Length > 0); i++) await Task.Delay(100);
            DataFolder.TempFiles(Data).ShouldContain(f => Path.GetFileName(f).StartsWith("oci-") && new FileInfo(f).Length > 0,
                "the server should be mid-blob when it is killed");
            await server.KillHardAsync();
        }

        await using var restarted = await FaultServer.StartAsync(Data);
        DataFolder.TempFiles(Data).ShouldBeEmpty("the start-up janitor drops the staged bytes of the cut-off PATCH");
        DataFolder.IntegrityCheck(Data).ShouldBe("ok");
        DataFolder.CorruptBlobs(Data).ShouldBeEmpty();
        DataFolder.BlobFiles(Data).Select(Path.GetFileName).ShouldNotContain(digest.Replace("sha256:", ""));

        var after = await LoginAsync(restarted, token);
        using (var head = await after.SendAsync(HttpMethod.Head, $"/v2/okim/lab/cut/blobs/{digest}"))
            head.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using (var tags = await after.SendAsync(HttpMethod.Get, "/v2/okim/lab/cut/tags/list"))
            tags.StatusCode.ShouldBe(HttpStatusCode.NotFound, await tags.Content.ReadAsStringAsync());
        using (var manifest = await after.SendAsync(HttpMethod.Get, "/v2/okim/lab/cut/manifests/latest"))
            manifest.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using (var catalog = await after.SendAsync(HttpMethod.Get, "/v2/_catalog"))
            (await catalog.Content.ReadAsStringAsync()).ShouldBe("""{"repositories":["okim/lab/seed"]}""");
        using var library = new HttpClient { BaseAddress = new Uri(restarted.BaseUrl) };
        library.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await library.GetAsync("/v1/containers/okim/lab/cut")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // The old session's bytes are gone: every request on it is BLOB_UPLOAD_UNKNOWN, so the client starts a new upload.
        foreach (var (method, path) in new[] { (HttpMethod.Get, session), (HttpMethod.Put, $"{session}?digest={digest}"), (HttpMethod.Patch, session) })
        {
            using var answer = await after.SendAsync(method, path, method == HttpMethod.Patch ? blob[..1000] : null);
            answer.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"{method} {await answer.Content.ReadAsStringAsync()}");
            (await OciClient.ErrorCodeAsync(answer)).ShouldBe("BLOB_UPLOAD_UNKNOWN");
        }
        DataFolder.TempFiles(Data).ShouldBeEmpty("a PATCH on a dropped session stages nothing");
        using (var head = await after.SendAsync(HttpMethod.Head, $"/v2/okim/lab/cut/blobs/{digest}"))
            head.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // The same push from the start works, and what was complete before the kill is intact.
        var (put, _) = await after.PushSifAsync("okim/lab/cut", "v1", blob);
        put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        using (var pulled = await after.SendAsync(HttpMethod.Get, $"/v2/okim/lab/cut/blobs/{digest}"))
            (await pulled.Content.ReadAsByteArrayAsync()).ShouldBe(blob);
        using (var old = await after.SendAsync(HttpMethod.Get, $"/v2/okim/lab/seed/blobs/{OciClient.Digest(seed)}"))
            (await old.Content.ReadAsByteArrayAsync()).ShouldBe(seed);
        DataFolder.TempFiles(Data).ShouldBeEmpty();
    }

    private static async Task<OciClient> LoginAsync(FaultServer server, string token)
    {
        var oci = new OciClient(new Uri(server.BaseUrl), "okim", token);
        (await oci.LoginAsync("repository:okim/lab/seed:pull,push repository:okim/lab/cut:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return oci;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
