using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Signatures;
using Registry.Core.Uploads;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;
using Registry.Tests.Sregistry;

namespace Registry.Tests.Signatures;

/// <summary>
/// A push refused at publish (here: unsigned into a collection that accepts only signed images) keeps nothing: not its
/// bytes, nor the image row and container the client registered before sending them, on every upload path; what
/// existed before, or belongs to a concurrent push, stays.
/// </summary>
public sealed class RefusedPushTests : IDisposable
{
    private sealed class StrictFactory(string data) : RegistryApiFactory(data)
    {
        protected override IEnumerable<(string Key, string Value)> ExtraSettings => [("Registry:DefaultOnlySigned", "true")];
    }

    private readonly string root = Directory.CreateTempSubdirectory("registry-refused-push-").FullName;
    private readonly StrictFactory factory;
    private readonly SignedSifs sifs = new();
    private readonly GpgKey alice = new("Alice Example <alice@lab.example>");

    public RefusedPushTests() => factory = new StrictFactory(Path.Combine(root, "data"));

    [Fact]
    public async Task Every_upload_path_refusing_an_unsigned_sif_leaves_no_image_container_listing_or_bytes()
    {
        var (client, token) = await AliceAsync();
        var url = factory.BaseAddress.ToString().TrimEnd('/');

        // The real Apptainer client: GET container (404), POST /v1/containers, POST /v1/images, v2 upload, _complete.
        var (sif, hash) = await UnsignedAsync();
        var push = await GoDriver.RunAgainstAsync(url, token, ["push", sif, "alice/strict/viaclient", "v1"]);
        push.ExitCode.ShouldNotBe(0);
        push.Stderr.ShouldContain(ImageSignatures.OnlySignedRefusal);
        await NothingOfAsync(client, "viaclient", hash);

        // v2 single: the upload URL takes the bytes, _complete refuses them.
        (sif, hash) = await UnsignedAsync();
        var imageId = await RegisterAsync(client, "single", hash);
        var (_, start) = await client.PostAsync($"/v2/imagefile/{imageId}", new { filesize = new FileInfo(sif).Length, sha256sum = hash, md5sum = "" });
        (await new HttpClient().PutAsync((string)start!["data"]!["uploadURL"]!, new ByteArrayContent(await File.ReadAllBytesAsync(sif)))).StatusCode.ShouldBe(HttpStatusCode.OK);
        ShouldBeRefusal(await client.SendAsync(HttpMethod.Put, $"/v2/imagefile/{imageId}/_complete", "{}"));
        await NothingOfAsync(client, "single", hash);

        // v2 multipart, two parts: _multipart_complete refuses them.
        (sif, hash) = await UnsignedAsync(6 * 1024 * 1024);
        var bytes = await File.ReadAllBytesAsync(sif);
        imageId = await RegisterAsync(client, "multipart", hash);
        var (_, multi) = await client.PostAsync($"/v2/imagefile/{imageId}/_multipart", new { filesize = bytes.Length });
        var (uploadId, partSize) = ((string)multi!["data"]!["uploadID"]!, (int)multi["data"]!["partSize"]!);
        var parts = new List<object>();
        for (var n = 1; (n - 1) * partSize < bytes.Length; n++)
        {
            var chunk = bytes.Skip((n - 1) * partSize).Take(partSize).ToArray();
            var (_, part) = await client.PutAsync($"/v2/imagefile/{imageId}/_multipart", new { partSize = chunk.Length, uploadID = uploadId, partNumber = n, sha256sum = "" });
            var put = await new HttpClient().PutAsync((string)part!["data"]!["presignedURL"]!, new ByteArrayContent(chunk));
            put.StatusCode.ShouldBe(HttpStatusCode.OK);
            parts.Add(new { partNumber = n, token = put.Headers.ETag!.ToString() });
        }
        ShouldBeRefusal(await client.PutAsync($"/v2/imagefile/{imageId}/_multipart_complete", new { uploadID = uploadId, completedParts = parts }));
        await NothingOfAsync(client, "multipart", hash);

        // v1: the whole file in one request.
        (sif, hash) = await UnsignedAsync();
        imageId = await RegisterAsync(client, "legacy", hash);
        var v1 = await client.Http.PostAsync($"/v1/imagefile/{imageId}", new ByteArrayContent(await File.ReadAllBytesAsync(sif)));
        v1.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await v1.Content.ReadAsStringAsync()).ShouldContain(ImageSignatures.OnlySignedRefusal);
        await NothingOfAsync(client, "legacy", hash);

        // The browser upload: the service the upload page calls, after every chunk arrived.
        (sif, hash) = await UnsignedAsync();
        bytes = await File.ReadAllBytesAsync(sif);
        var uploads = factory.Services.GetRequiredService<BrowserUploadService>();
        var actor = await ActorAsync();
        var started = await uploads.StartAsync(actor, "alice", "strict", "browser", "v1", bytes.Length);
        (await uploads.ReceiveAsync(actor, started.Value!.Id, 0, new MemoryStream(bytes))).Succeeded.ShouldBeTrue();
        var finished = await uploads.FinishAsync(actor, started.Value.Id);
        (finished.Outcome, finished.Message).ShouldBe((Outcome.Forbidden, ImageSignatures.OnlySignedRefusal));
        await NothingOfAsync(client, "browser", hash);

        // sregistry-cli: chunked_upload, then the streamed /upload.
        (sif, hash) = await UnsignedAsync();
        var (status, body) = await new SregistryClient(factory.BaseAddress, "alice", token).PushAsync("strict", "sreg", "v1", await File.ReadAllBytesAsync(sif));
        status.ShouldBe(HttpStatusCode.Forbidden);
        System.Text.RegularExpressions.Regex.Unescape(body!.ToJsonString()).ShouldContain(ImageSignatures.OnlySignedRefusal);
        await NothingOfAsync(client, "sreg", hash);
    }

    [Fact]
    public async Task A_refused_push_keeps_a_container_that_holds_a_signed_image_and_an_empty_one_stored_before_the_upgrade()
    {
        var (client, token) = await AliceAsync();
        var url = factory.BaseAddress.ToString().TrimEnd('/');
        var signed = await sifs.CreateSignedAsync(alice);
        (await GoDriver.RunAgainstAsync(url, token, ["push", signed, "alice/strict/tool", "v1"])).ExitCode.ShouldBe(0);
        var (sif, hash) = await UnsignedAsync();
        (await GoDriver.RunAgainstAsync(url, token, ["push", sif, "alice/strict/tool", "v2"])).ExitCode.ShouldNotBe(0);
        await ShouldHoldSignedAsync(client, "tool", "v1", signed);
        (await client.GetAsync($"/v1/images/alice/strict/tool:sha256.{hash}")).Status.ShouldBe(HttpStatusCode.NotFound);

        // An empty container from before this change (AwaitingFirstImage false) is the user's: a refused push leaves it.
        await RegisterAsync(client, "older", "0".PadLeft(64, '0'));
        await using (var db = await Db())
        {
            await db.Images.Where(i => i.Container!.Name == "older").ExecuteDeleteAsync();
            await db.Containers.Where(c => c.Name == "older").ExecuteUpdateAsync(u => u.SetProperty(c => c.AwaitingFirstImage, false));
        }
        (await GoDriver.RunAgainstAsync(url, token, ["push", sif, "alice/strict/older", "v1"])).ExitCode.ShouldNotBe(0);
        (await client.GetAsync("/v1/containers/alice/strict/older")).Status.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync($"/v1/images/alice/strict/older:sha256.{hash}")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_signed_and_an_unsigned_push_into_one_new_container_at_once_keep_the_signed_one_whole()
    {
        var (client, token) = await AliceAsync();
        var url = factory.BaseAddress.ToString().TrimEnd('/');
        for (var round = 0; round < 3; round++)
        {
            var name = $"race{round}";
            var signed = await sifs.CreateSignedAsync(alice);
            var (unsigned, hash) = await UnsignedAsync();
            var pushes = await Task.WhenAll(
                GoDriver.RunAgainstAsync(url, token, ["push", signed, $"alice/strict/{name}", "good"]),
                GoDriver.RunAgainstAsync(url, token, ["push", unsigned, $"alice/strict/{name}", "bad"]));
            pushes[0].ExitCode.ShouldBe(0, pushes[0].ToString());
            pushes[1].ExitCode.ShouldNotBe(0);
            pushes[1].Stderr.ShouldContain(ImageSignatures.OnlySignedRefusal);
            await ShouldHoldSignedAsync(client, name, "good", signed);
            (await client.GetAsync($"/v1/images/alice/strict/{name}:sha256.{hash}")).Status.ShouldBe(HttpStatusCode.NotFound);
            await using var db = await Db();
            (await db.Images.CountAsync(i => i.Container!.Name == name)).ShouldBe(1);
        }
    }

    private async Task<(LibraryClient Client, string Token)> AliceAsync()
    {
        var (_, token) = await factory.CreateUserAsync("alice");
        using (var key = await factory.Client(token).PostAsync("/pks/add", new FormUrlEncodedContent([new("keytext", alice.Armored)])))
            key.StatusCode.ShouldBe(HttpStatusCode.OK);
        var client = new LibraryClient(factory.Client(token));
        var (_, entity) = await client.GetAsync("/v1/entities/alice");
        (await client.PostAsync("/v1/collections", new { name = "strict", entity = (string)entity!["data"]!["id"]!, @private = false })).Status.ShouldBe(HttpStatusCode.OK);
        return (client, token);
    }

    private async Task<(string Sif, string Hash)> UnsignedAsync(int payload = 100_000)
    {
        var sif = await sifs.CreateAsync(payload);
        return (sif, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(sif))));
    }

    /// <summary>What the client does before sending bytes: the container (created if missing), then the image row.</summary>
    private static async Task<string> RegisterAsync(LibraryClient client, string container, string hash)
    {
        var (_, collection) = await client.GetAsync("/v1/collections/alice/strict");
        var (_, x) = await client.PostAsync("/v1/containers", new { name = container, collection = (string)collection!["data"]!["id"]! });
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + hash, container = (string)x!["data"]!["id"]!, description = "" });
        return (string)image!["data"]!["id"]!;
    }

    private static void ShouldBeRefusal((HttpStatusCode Status, System.Text.Json.Nodes.JsonNode? Body) answer)
    {
        answer.Status.ShouldBe(HttpStatusCode.Forbidden, answer.Body?.ToJsonString());
        ((string)answer.Body!["error"]!["message"]!).ShouldBe(ImageSignatures.OnlySignedRefusal);
    }

    private async Task NothingOfAsync(LibraryClient client, string container, string hash)
    {
        (await client.GetAsync($"/v1/images/alice/strict/{container}:sha256.{hash}")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync($"/v1/containers/alice/strict/{container}")).Status.ShouldBe(HttpStatusCode.NotFound);
        var page = await factory.Services.GetRequiredService<CollectionBrowser>().OpenAsync(await ActorAsync(), "alice", "strict");
        page.Value!.Containers.Select(c => c.Name).ShouldNotContain(container);
        await using (var db = await Db()) (await db.Images.AnyAsync(i => i.Hash == hash)).ShouldBeFalse();
        var data = Path.Combine(root, "data");
        Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ShouldNotContain(hash);
        (Directory.Exists(Path.Combine(data, "tmp")) ? Directory.GetFiles(Path.Combine(data, "tmp")) : []).ShouldBeEmpty();
    }

    private static async Task ShouldHoldSignedAsync(LibraryClient client, string container, string tag, string sif)
    {
        var (status, image) = await client.GetAsync($"/v1/images/alice/strict/{container}:{tag}");
        status.ShouldBe(HttpStatusCode.OK, image?.ToJsonString());
        image!["data"]!["signed"]!.GetValue<bool>().ShouldBeTrue();
        (await client.PullAsync($"alice/strict/{container}:{tag}")).ShouldBe(await File.ReadAllBytesAsync(sif));
    }

    private async Task<RegistryDbContext> Db() =>
        await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();

    private async Task<Actor> ActorAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Registry.Core.Identity.RegistryUser>>().FindByNameAsync("alice");
        return Actor.ForUser(user!.Id, "alice", false);
    }

    public void Dispose()
    {
        factory.Dispose();
        alice.Dispose();
        sifs.Dispose();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }
}
