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

namespace Registry.Tests.Signatures;

/// <summary>Collections that accept only signed images (the admin default here): refused on every upload path, nothing kept.</summary>
public sealed class OnlySignedPolicyTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("registry-only-signed-").FullName;
    private readonly RegistryApiFactory factory;
    private readonly SignedSifs sifs = new();
    private readonly GpgKey alice = new("Alice Example <alice@lab.example>");

    public OnlySignedPolicyTests() => factory = RegistryApiFactory.With(new() { DataPath = Path.Combine(root, "data"), ["Registry:DefaultOnlySigned"] = "true" });

    private string[] Blobs() => Directory.Exists(Path.Combine(root, "data", "blobs"))
        ? [.. Directory.EnumerateFiles(Path.Combine(root, "data", "blobs"), "*", SearchOption.AllDirectories)] : [];

    private string[] Temps() => Directory.Exists(Path.Combine(root, "data", "tmp")) ? Directory.GetFiles(Path.Combine(root, "data", "tmp")) : [];

    [Fact]
    public async Task An_unsigned_push_is_refused_with_the_message_by_the_real_client_and_the_api_and_nothing_is_kept()
    {
        var (_, token) = await factory.CreateUserAsync("alice");
        using (var key = await factory.Client(token).PostAsync("/pks/add", new FormUrlEncodedContent([new("keytext", alice.Armored)])))
            key.StatusCode.ShouldBe(HttpStatusCode.OK);
        var url = factory.BaseAddress.ToString().TrimEnd('/');

        // The real Apptainer library client shows the message.
        var unsigned = await sifs.CreateAsync();
        var push = await GoDriver.RunAgainstAsync(url, token, ["push", unsigned, "alice/strict/tool", "v1"]);
        push.ExitCode.ShouldNotBe(0);
        push.Stderr.ShouldContain(ImageSignatures.OnlySignedRefusal);
        Blobs().ShouldBeEmpty();
        Temps().ShouldBeEmpty();

        // The same through the raw API: 403 with the message in the error envelope, the image row gone.
        var client = new LibraryClient(factory.Client(token));
        var bytes = await File.ReadAllBytesAsync(unsigned);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        // The container made for the refused push goes a moment later (RefusedPush); the client asks for it as a push does.
        var (_, strict) = await client.GetAsync("/v1/collections/alice/strict");
        var (_, x) = await client.PostAsync("/v1/containers", new { name = "tool", collection = (string)strict!["data"]!["id"]! });
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + hash, container = (string)x!["data"]!["id"]!, description = "" });
        var imageId = (string)image!["data"]!["id"]!;
        var (_, start) = await client.PostAsync($"/v2/imagefile/{imageId}", new { filesize = bytes.Length, sha256sum = hash, md5sum = "" });
        (await new HttpClient().PutAsync((string)start!["data"]!["uploadURL"]!, new ByteArrayContent(bytes))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (status, body) = await client.SendAsync(HttpMethod.Put, $"/v2/imagefile/{imageId}/_complete", "{}");
        status.ShouldBe(HttpStatusCode.Forbidden);
        ((string)body!["error"]!["message"]!).ShouldBe(ImageSignatures.OnlySignedRefusal);
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync())
            (await db.Images.AnyAsync(i => i.Id == imageId)).ShouldBeFalse(); // nor the image registered for it
        Blobs().ShouldBeEmpty();
        Temps().ShouldBeEmpty();

        // A signed image goes in; the unsigned bytes, stored elsewhere, are no shortcut into the strict collection.
        var signed = await sifs.CreateSignedAsync(alice);
        (await GoDriver.RunAgainstAsync(url, token, ["push", signed, "alice/strict/tool", "v2"])).ExitCode.ShouldBe(0);
        var collections = factory.Services.GetRequiredService<CollectionService>();
        var actor = await ActorAsync("alice");
        var (_, entity) = await client.GetAsync("/v1/entities/alice");
        var (_, open) = await client.PostAsync("/v1/collections", new { name = "open", entity = (string)entity!["data"]!["id"]!, @private = false });
        (await collections.SetOnlySignedAsync(actor, (string)open!["data"]!["id"]!, false)).Succeeded.ShouldBeTrue();
        (await GoDriver.RunAgainstAsync(url, token, ["push", unsigned, "alice/open/tool", "v1"])).ExitCode.ShouldBe(0);
        var again = await GoDriver.RunAgainstAsync(url, token, ["push", unsigned, "alice/strict/copy", "v1"]);
        again.ExitCode.ShouldNotBe(0);
        again.Stderr.ShouldContain(ImageSignatures.OnlySignedRefusal);
    }

    [Fact]
    public async Task The_browser_upload_path_refuses_an_unsigned_file_and_drops_its_bytes()
    {
        var (_, token) = await factory.CreateUserAsync("alice");
        var client = new LibraryClient(factory.Client(token));
        var (_, entity) = await client.GetAsync("/v1/entities/alice");
        (await client.PostAsync("/v1/collections", new { name = "strict", entity = (string)entity!["data"]!["id"]!, @private = false })).Status.ShouldBe(HttpStatusCode.OK);
        var actor = await ActorAsync("alice");
        var uploads = factory.Services.GetRequiredService<BrowserUploadService>();
        var bytes = await File.ReadAllBytesAsync(await sifs.CreateAsync());

        var started = await uploads.StartAsync(actor, "alice", "strict", "tool", "v1", bytes.Length);
        started.Succeeded.ShouldBeTrue(started.Message);
        (await uploads.ReceiveAsync(actor, started.Value!.Id, 0, new MemoryStream(bytes))).Succeeded.ShouldBeTrue();
        var finished = await uploads.FinishAsync(actor, started.Value.Id);

        (finished.Outcome, finished.Message).ShouldBe((Outcome.Forbidden, ImageSignatures.OnlySignedRefusal));
        Blobs().ShouldBeEmpty();
        Temps().ShouldBeEmpty();
        (await uploads.StatusAsync(actor, started.Value.Id)).Outcome.ShouldBe(Outcome.NotFound);
    }

    private async Task<Actor> ActorAsync(string name)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Registry.Core.Identity.RegistryUser>>().FindByNameAsync(name);
        return Actor.ForUser(user!.Id, name, false);
    }

    public void Dispose()
    {
        factory.Dispose();
        alice.Dispose();
        sifs.Dispose();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }
}
