using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Entities;

namespace Registry.Tests.Api;

public class QuotaTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task A_push_over_quota_is_refused_before_any_byte_and_nothing_is_stored()
    {
        var (_, token) = await factory.CreateUserAsync("tight");
        var admin = new Actor("root", "root", true, Registry.Core.Identity.AccessTokens.TokenScope.Admin);
        (await factory.Services.GetRequiredService<EntityService>().SetQuotaAsync(admin, "tight", 10_000)).Succeeded.ShouldBeTrue();
        var client = new LibraryClient(factory.Client(token));
        await client.PushAsync("tight", "c", "small", SifBuilder.Bytes(6000), "latest");

        var big = SifBuilder.Bytes(6000);
        var (_, x) = await client.GetAsync("/v1/containers/tight/c/small");
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + Convert.ToHexStringLower(SHA256.HashData(big)), container = (string)x!["data"]!["id"]! });
        var blobsBefore = Directory.EnumerateFiles(Path.Combine(factory.DataPath, "blobs"), "*", SearchOption.AllDirectories).Count();

        var (status, body) = await client.PostAsync($"/v2/imagefile/{image!["data"]!["id"]}", new { filesize = big.Length });
        status.ShouldBe(HttpStatusCode.InsufficientStorage);
        body!.ToJsonString().ShouldBe("""{"error":{"code":507,"message":"quota exceeded: tight uses 6000 of 10000 bytes and this image needs 6000 more"}}""");
        Directory.EnumerateFiles(Path.Combine(factory.DataPath, "blobs"), "*", SearchOption.AllDirectories).Count().ShouldBe(blobsBefore);
        Directory.EnumerateFiles(Path.Combine(factory.DataPath, "tmp")).ShouldBeEmpty();

        var (_, complete) = await client.SendAsync(HttpMethod.Put, $"/v2/imagefile/{image["data"]!["id"]}/_complete", "{}");
        complete!["error"]!["code"]!.GetValue<int>().ShouldBe(404);
    }

    [Fact]
    public async Task Bytes_sent_but_never_completed_are_no_blob_count_against_the_quota_while_live_and_gc_reclaims_them()
    {
        var (_, token) = await factory.CreateUserAsync("hoarding");
        var admin = new Actor("root", "root", true, Registry.Core.Identity.AccessTokens.TokenScope.Admin);
        (await factory.Services.GetRequiredService<EntityService>().SetQuotaAsync(admin, "hoarding", 2 * 1024 * 1024)).Succeeded.ShouldBeTrue();
        var client = new LibraryClient(factory.Client(token));
        var (_, e) = await client.GetAsync("/v1/entities/hoarding");
        var (_, c) = await client.PostAsync("/v1/collections", new { name = "c", entity = (string)e!["data"]!["id"]! });
        var (_, x) = await client.PostAsync("/v1/containers", new { name = "x", collection = (string)c!["data"]!["id"]! });
        string[] Blobs() => Directory.EnumerateFiles(Path.Combine(factory.DataPath, "blobs"), "*", SearchOption.AllDirectories).ToArray();
        var blobsBefore = Blobs();

        async Task<(HttpStatusCode Status, string? Url)> StartAsync(byte[] file)
        {
            var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + Convert.ToHexStringLower(SHA256.HashData(file)), container = (string)x!["data"]!["id"]! });
            var (status, start) = await client.PostAsync($"/v2/imagefile/{image!["data"]!["id"]}", new { filesize = file.Length });
            return (status, (string?)start?["data"]?["uploadURL"]);
        }

        // Sent and verified, never completed: still only a temp file, not a blob, and no usage.
        var first = SifBuilder.Bytes(1_500_000);
        var (status, url) = await StartAsync(first);
        status.ShouldBe(HttpStatusCode.OK);
        (await new HttpClient().PutAsync(url, new ByteArrayContent(first))).StatusCode.ShouldBe(HttpStatusCode.OK);
        Blobs().ShouldBe(blobsBefore);
        var (_, entity) = await client.GetAsync("/v1/entities/hoarding");
        entity!["data"]!["size"]!.GetValue<long>().ShouldBe(0);

        // A second upload that fits alone but not beside the live one is refused before any byte: uploads can't together exceed the quota.
        var (second, _) = await StartAsync(SifBuilder.Bytes(1_000_000));
        second.ShouldBe(HttpStatusCode.InsufficientStorage);

        // Once the session is dead, gc reclaims its temp file.
        var temps = Directory.EnumerateFiles(Path.Combine(factory.DataPath, "tmp")).ToArray();
        temps.ShouldNotBeEmpty();
        await using (var db = await factory.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Registry.Core.Data.RegistryDbContext>>().CreateDbContextAsync())
        {
            foreach (var session in db.UploadSessions) session.ExpiresAt = DateTime.UtcNow.AddMinutes(-1);
            await db.SaveChangesAsync();
        }
        await factory.Services.GetRequiredService<Registry.Core.Storage.StorageMaintenance>().CollectGarbageAsync(dryRun: false);
        Directory.EnumerateFiles(Path.Combine(factory.DataPath, "tmp")).Intersect(temps).ShouldBeEmpty();
        (await StartAsync(SifBuilder.Bytes(1_000_000))).Status.ShouldBe(HttpStatusCode.OK); // its reservation ended with it
    }
}
