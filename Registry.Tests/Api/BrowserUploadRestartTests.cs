using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Identity;
using Registry.Core.Search;
using Registry.Core.Storage;
using Registry.Core.Uploads;
using Registry.Tests.Infrastructure;
using Registry.Tests.SignIn;

namespace Registry.Tests.Api;

/// <summary>The upload page's chunked uploads (the endpoints its script calls) resume after the server restarts.</summary>
public sealed class BrowserUploadRestartTests : IDisposable
{
    private const string Password = "Pass-word-1";
    private readonly string _root = Directory.CreateTempSubdirectory("registry-browser-upload-").FullName;
    private string Data => Path.Combine(_root, "data");

    [Fact]
    public async Task An_upload_cut_off_by_a_restart_resumes_from_the_bytes_on_disk_and_pulls_back_identical()
    {
        var path = await new SifFiles(Path.Combine(_root, "sif")).CreateLabelledAsync("""{"org.lab.stage":"resumed"}""", 12 * 1024 * 1024);
        var sif = await File.ReadAllBytesAsync(path);
        string id, abandoned, tempPath, abandonedPath;
        using var browser = new PageClient();
        using (var first = RegistryApiFactory.With(new() { DataPath = Data }))
        {
            await browser.SignInAsync(first, "alice");
            id = await browser.StartAsync("alice", "tools", "demo", sif.Length);
            (await browser.PutAsync(id, 0, sif[..BrowserUploadService.ChunkSize]))["received"]!.GetValue<long>().ShouldBe(BrowserUploadService.ChunkSize);
            abandoned = await browser.StartAsync("alice", "tools", "gone", sif.Length);
            await browser.PutAsync(abandoned, 0, sif[..4096]);

            await using var db = await DbOf(first).CreateDbContextAsync();
            await db.BrowserUploads.Where(u => u.Id == abandoned).ExecuteUpdateAsync(u => u.SetProperty(x => x.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
            tempPath = await db.BrowserUploads.Where(u => u.Id == id).Select(u => u.StagingId).SingleAsync();
            tempPath = BlobStoreTesting.StagedPath(Data, tempPath);
            abandonedPath = await db.BrowserUploads.Where(u => u.Id == abandoned).Select(u => u.StagingId).SingleAsync();
            abandonedPath = BlobStoreTesting.StagedPath(Data, abandonedPath);
        }
        // The row says 8 MiB arrived; the disk kept less (as after a power cut): the file's length is what counts.
        const int kept = 5 * 1024 * 1024;
        await using (var file = new FileStream(tempPath, FileMode.Open)) file.SetLength(kept);

        using var second = RegistryApiFactory.With(new() { DataPath = Data });
        browser.Reconnect(second); // the same browser, cookies and page: only the server was restarted
        File.Exists(tempPath).ShouldBeTrue("start-up cleaning must keep the temp file of a live browser upload");
        File.Exists(abandonedPath).ShouldBeFalse("an expired browser upload's temp file goes at start-up");
        await using (var db = await DbOf(second).CreateDbContextAsync())
            (await db.BrowserUploads.Select(u => u.Id).ToListAsync()).ShouldBe([id]);

        var status = await browser.StatusAsync(id);
        status["received"]!.GetValue<long>().ShouldBe(kept);
        status["size"]!.GetValue<long>().ShouldBe(sif.Length);
        (await browser.PutAsync(id, BrowserUploadService.ChunkSize, sif[BrowserUploadService.ChunkSize..], HttpStatusCode.Conflict))["message"]!
            .GetValue<string>().ShouldBe($"expected offset {kept}, got {BrowserUploadService.ChunkSize}");
        for (long received = kept; received < sif.Length;)
            received = (await browser.PutAsync(id, received, sif[(int)received..(int)Math.Min(sif.Length, received + BrowserUploadService.ChunkSize)]))["received"]!.GetValue<long>();
        (await browser.FinishAsync(id))["containerUrl"]!.GetValue<string>().ShouldBe("/alice/tools/demo");

        using var puller = new HttpClient { BaseAddress = second.BaseAddress }; // follows the 303 to the signed URL
        var pulled = await puller.GetByteArrayAsync("/v1/imagefile/alice/tools/demo:v1");
        Convert.ToHexStringLower(SHA256.HashData(pulled)).ShouldBe(Convert.ToHexStringLower(SHA256.HashData(sif)));
        File.Exists(tempPath).ShouldBeFalse();
        (await browser.StatusAsync(id, HttpStatusCode.NotFound))["message"]!.GetValue<string>().ShouldBe("upload not found or expired");
        var found = await second.Services.GetRequiredService<LabelSearch>().MatchesAsync(Actor.Anonymous, "resumed", 10);
        found.Select(f => (f.Path, string.Join(" | ", f.Tags))).ShouldBe([("alice/tools/demo", "org.lab.stage: resumed")]);
    }

    [Fact]
    public async Task A_chunk_sent_again_with_other_bytes_is_what_gets_hashed_and_stored()
    {
        // Chunks in order only advance a running hash; one sent again over hashed bytes sends finishing back to the file.
        var path = await new SifFiles(Path.Combine(_root, "sif")).CreateLabelledAsync("""{"org.lab.stage":"again"}""", 10 * 1024 * 1024);
        var sif = await File.ReadAllBytesAsync(path);
        const int chunk = BrowserUploadService.ChunkSize;
        using var factory = RegistryApiFactory.With(new() { DataPath = Data });
        using var browser = new PageClient();
        await browser.SignInAsync(factory, "bob");

        var id = await browser.StartAsync("bob", "tools", "fixed", sif.Length);
        await browser.PutAsync(id, 0, RandomNumberGenerator.GetBytes(chunk)); // hashed as it arrived, then replaced
        await browser.PutAsync(id, 0, sif[..chunk]);
        await browser.PutAsync(id, chunk, sif[chunk..]);
        (await browser.FinishAsync(id))["containerUrl"]!.GetValue<string>().ShouldBe("/bob/tools/fixed");

        var inOrder = await browser.StartAsync("bob", "tools", "straight", sif.Length);
        await browser.PutAsync(inOrder, 0, sif[..chunk]);
        await browser.PutAsync(inOrder, chunk, sif[chunk..]);
        await browser.FinishAsync(inOrder);

        using var puller = new HttpClient { BaseAddress = factory.BaseAddress };
        var expected = Convert.ToHexStringLower(SHA256.HashData(sif));
        foreach (var container in new[] { "fixed", "straight" })
        {
            var image = await puller.GetFromJsonAsync<JsonNode>($"/v1/images/bob/tools/{container}:v1");
            image!["data"]!["hash"]!.GetValue<string>().ShouldBe("sha256." + expected);
            Convert.ToHexStringLower(SHA256.HashData(await puller.GetByteArrayAsync($"/v1/imagefile/bob/tools/{container}:v1"))).ShouldBe(expected);
        }
    }

    [Fact]
    public async Task Gc_removes_expired_browser_uploads_and_their_temp_files_but_not_live_ones()
    {
        using var factory = RegistryApiFactory.With(new() { DataPath = Data });
        using var browser = new PageClient();
        await browser.SignInAsync(factory, "carol");
        var chunk = RandomNumberGenerator.GetBytes(10_000);
        var live = await browser.StartAsync("carol", "tools", "live", 20_000);
        var stale = await browser.StartAsync("carol", "tools", "stale", 20_000);
        await browser.PutAsync(live, 0, chunk);
        await browser.PutAsync(stale, 0, chunk);
        await using var db = await DbOf(factory).CreateDbContextAsync();
        await db.BrowserUploads.Where(u => u.Id == stale).ExecuteUpdateAsync(u => u.SetProperty(x => x.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        var paths = await db.BrowserUploads.ToDictionaryAsync(u => u.Id, u => BlobStoreTesting.StagedPath(factory.DataPath, u.StagingId));

        var report = await factory.Services.GetRequiredService<StorageMaintenance>().CollectGarbageAsync(dryRun: false);

        report.Sessions.ShouldBe(1);
        report.TempBytes.ShouldBe(chunk.Length);
        File.Exists(paths[stale]).ShouldBeFalse();
        File.Exists(paths[live]).ShouldBeTrue();
        (await db.BrowserUploads.Select(u => u.Id).ToListAsync()).ShouldBe([live]);
        (await browser.StatusAsync(stale, HttpStatusCode.NotFound))["message"]!.GetValue<string>().ShouldBe("upload not found or expired");
        (await browser.StatusAsync(live))["received"]!.GetValue<long>().ShouldBe(chunk.Length);
    }

    private static IDbContextFactory<RegistryDbContext> DbOf(RegistryApiFactory factory) =>
        factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>();

    /// <summary>What the upload page's script does: the sign-in cookie plus the antiforgery header on every fetch.</summary>
    private sealed class PageClient : IDisposable
    {
        private readonly CookieContainer _cookies = new();
        private BrowserSession? _session;
        private string _token = "";

        /// <summary>Creates <paramref name="name"/> with a password and a public collection "tools", and signs in.</summary>
        public async Task SignInAsync(RegistryApiFactory factory, string name)
        {
            await using (var scope = factory.Services.CreateAsyncScope())
            {
                var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
                var user = new RegistryUser { UserName = name };
                (await users.CreateAsync(user, Password)).Succeeded.ShouldBeTrue();
                await using var db = await DbOf(factory).CreateDbContextAsync();
                var entityId = await db.Entities.Where(e => e.Name == name).Select(e => e.Id).SingleAsync();
                (await factory.Services.GetRequiredService<CollectionService>().CreateAsync(Actor.ForUser(user.Id, name, false), entityId, "tools", "", false))
                    .Succeeded.ShouldBeTrue();
            }
            Reconnect(factory);
            (await LocalSignIn.SignInAsync(_session!, name, Password)).Address.AbsolutePath.ShouldBe("/");
            // A form rendered for the signed-in user carries a request token bound to them, as the upload page's does.
            _token = BrowserSession.Hidden((await _session!.GetAsync("/Account/Manage/ChangePassword")).Html, "__RequestVerificationToken");
        }

        /// <summary>Talks to <paramref name="factory"/> from now on; cookies (host-wide, not per port) stay.</summary>
        public void Reconnect(RegistryApiFactory factory)
        {
            _session?.Dispose();
            _session = new BrowserSession(factory.BaseAddress, cookies: _cookies);
        }

        public async Task<string> StartAsync(string entity, string collection, string container, long size) =>
            (await SendAsync(HttpMethod.Post, "/browser-upload", JsonContent.Create(new { entity, collection, container, tag = "v1", size })))["id"]!.GetValue<string>();

        public Task<JsonNode> PutAsync(string id, long offset, byte[] bytes, HttpStatusCode expected = HttpStatusCode.OK) =>
            SendAsync(HttpMethod.Put, $"/browser-upload/{id}/{offset}", new ByteArrayContent(bytes), expected);

        public Task<JsonNode> StatusAsync(string id, HttpStatusCode expected = HttpStatusCode.OK) =>
            SendAsync(HttpMethod.Get, $"/browser-upload/{id}", null, expected);

        public Task<JsonNode> FinishAsync(string id) => SendAsync(HttpMethod.Post, $"/browser-upload/{id}/finish", null);

        private async Task<JsonNode> SendAsync(HttpMethod method, string path, HttpContent? body, HttpStatusCode expected = HttpStatusCode.OK)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body };
            request.Headers.Add("RequestVerificationToken", _token);
            using var response = await _session!.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(expected, text);
            return JsonNode.Parse(text)!;
        }

        public void Dispose() => _session?.Dispose();
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
