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

/// <summary>A registry whose new collections accept only signed images, alice with her key pushed, and what the refused-push tests check.</summary>
public abstract class StrictRegistryTest : IDisposable
{
    protected sealed class StrictFactory(string data) : RegistryApiFactory(new() { ["Registry:DefaultOnlySigned"] = "true", DataPath = data });

    protected readonly string root = Directory.CreateTempSubdirectory("registry-refused-push-").FullName;
    protected readonly StrictFactory factory;
    protected readonly SignedSifs sifs = new();
    protected readonly GpgKey alice = new("Alice Example <alice@lab.example>");

    protected StrictRegistryTest() => factory = new StrictFactory(Path.Combine(root, "data"));

    protected async Task<(LibraryClient Client, string Token)> AliceAsync()
    {
        var (_, token) = await factory.CreateUserAsync("alice");
        using (var key = await factory.Client(token).PostAsync("/pks/add", new FormUrlEncodedContent([new("keytext", alice.Armored)])))
            key.StatusCode.ShouldBe(HttpStatusCode.OK);
        var client = new LibraryClient(factory.Client(token));
        var (_, entity) = await client.GetAsync("/v1/entities/alice");
        (await client.PostAsync("/v1/collections", new { name = "strict", entity = (string)entity!["data"]!["id"]!, @private = false })).Status.ShouldBe(HttpStatusCode.OK);
        return (client, token);
    }

    protected async Task<(string Sif, string Hash)> UnsignedAsync(int payload = 100_000)
    {
        var sif = await sifs.CreateAsync(payload);
        return (sif, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(sif))));
    }

    /// <summary>What the client does before sending bytes: the container (created if missing), then the image row.</summary>
    protected static async Task<string> RegisterAsync(LibraryClient client, string container, string hash)
    {
        var (_, collection) = await client.GetAsync("/v1/collections/alice/strict");
        var (_, x) = await client.PostAsync("/v1/containers", new { name = container, collection = (string)collection!["data"]!["id"]! });
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + hash, container = (string)x!["data"]!["id"]!, description = "" });
        return (string)image!["data"]!["id"]!;
    }

    protected static void ShouldBeRefusal((HttpStatusCode Status, System.Text.Json.Nodes.JsonNode? Body) answer)
    {
        answer.Status.ShouldBe(HttpStatusCode.Forbidden, answer.Body?.ToJsonString());
        ((string)answer.Body!["error"]!["message"]!).ShouldBe(ImageSignatures.OnlySignedRefusal);
    }

    protected async Task NothingOfAsync(LibraryClient client, string container, string hash)
    {
        (await client.GetAsync($"/v1/images/alice/strict/{container}:sha256.{hash}")).Status.ShouldBe(HttpStatusCode.NotFound);
        // The emptied container goes a moment later (RefusedPush.ContainerGrace: a concurrent push may be about to use it).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await client.GetAsync($"/v1/containers/alice/strict/{container}")).Status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(200);
        (await client.GetAsync($"/v1/containers/alice/strict/{container}")).Status.ShouldBe(HttpStatusCode.NotFound);
        var page = await factory.Services.GetRequiredService<CollectionBrowser>().OpenAsync(await ActorAsync(), "alice", "strict");
        page.Value!.Containers.Select(c => c.Name).ShouldNotContain(container);
        await using (var db = await Db()) (await db.Images.AnyAsync(i => i.Hash == hash)).ShouldBeFalse();
        var data = Path.Combine(root, "data");
        Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ShouldNotContain(hash);
        (Directory.Exists(Path.Combine(data, "tmp")) ? Directory.GetFiles(Path.Combine(data, "tmp")) : []).ShouldBeEmpty();
    }

    protected static async Task ShouldHoldSignedAsync(LibraryClient client, string container, string tag, string sif)
    {
        var (status, image) = await client.GetAsync($"/v1/images/alice/strict/{container}:{tag}");
        status.ShouldBe(HttpStatusCode.OK, image?.ToJsonString());
        image!["data"]!["signed"]!.GetValue<bool>().ShouldBeTrue();
        (await client.PullAsync($"alice/strict/{container}:{tag}")).ShouldBe(await File.ReadAllBytesAsync(sif));
    }

    protected async Task<RegistryDbContext> Db() =>
        await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();

    protected async Task<Actor> ActorAsync()
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
