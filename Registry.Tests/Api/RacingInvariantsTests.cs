using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Identity.AccessTokens;

namespace Registry.Tests.Api;

/// <summary>
/// Invariants that rest on one write transaction, under racing requests: on SQLite's single writer here, and on
/// PostgreSQL under READ COMMITTED in <c>RacingInvariantsTestsOnPostgres</c>. (MaxCollectionsPerUser races are in
/// CollectionOptionsTests, which runs on both too.)
/// </summary>
public class RacingInvariantsTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task Racing_pushes_never_publish_past_the_quota()
    {
        var name = RegistryFixture.Unique("quota");
        var (_, token) = await factory.CreateUserAsync(name);
        var admin = new Actor("root", "root", true, TokenScope.Admin);
        (await factory.Services.GetRequiredService<EntityService>().SetQuotaAsync(admin, name, 20_000)).Succeeded.ShouldBeTrue();
        var client = new LibraryClient(factory.Client(token));
        var (_, e) = await client.GetAsync($"/v1/entities/{name}");
        var (_, c) = await client.PostAsync("/v1/collections", new { name = "c", entity = (string)e!["data"]!["id"]! });

        // Eight 6000-byte pushes, each fitting alone; at most three fit together.
        var published = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var (_, x) = await client.PostAsync("/v1/containers", new { name = $"x{i}", collection = (string)c!["data"]!["id"]! });
            var file = SifBuilder.Bytes(6000);
            var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + Convert.ToHexStringLower(SHA256.HashData(file)), container = (string)x!["data"]!["id"]! });
            var (status, start) = await client.PostAsync($"/v2/imagefile/{image!["data"]!["id"]}", new { filesize = file.Length });
            if (status == HttpStatusCode.InsufficientStorage) return false;
            using var put = await new HttpClient().PutAsync((string)start!["data"]!["uploadURL"]!, new ByteArrayContent(file));
            put.StatusCode.ShouldBe(HttpStatusCode.OK);
            var (done, _) = await client.SendAsync(HttpMethod.Put, $"/v2/imagefile/{image["data"]!["id"]}/_complete", "{}");
            done.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.InsufficientStorage);
            return done == HttpStatusCode.OK;
        })));

        var (_, entity) = await client.GetAsync($"/v1/entities/{name}");
        var size = entity!["data"]!["size"]!.GetValue<long>();
        size.ShouldBe(published.Count(p => p) * 6000L);
        size.ShouldBeLessThanOrEqualTo(20_000);
        published.Count(p => p).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Racing_tag_sets_of_one_new_tag_all_succeed_and_leave_one_tag()
    {
        var name = RegistryFixture.Unique("tags");
        var (_, token) = await factory.CreateUserAsync(name);
        var client = new LibraryClient(factory.Client(token));
        var images = new[] { await client.PushAsync(name, "c", "x", SifBuilder.Bytes(3000)), await client.PushAsync(name, "c", "x", SifBuilder.Bytes(3100)) };
        var (_, x) = await client.GetAsync($"/v1/containers/{name}/c/x");
        var containerId = (string)x!["data"]!["id"]!;

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            client.PostAsync($"/v2/tags/{containerId}", new { Arch = "amd64", Tag = "race", ImageID = images[i % 2] }))));

        answers.ShouldAllBe(a => a.Status == HttpStatusCode.OK);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        var tag = await db.Tags.Where(t => t.ContainerId == containerId && t.Name == "race").ToListAsync();
        tag.ShouldHaveSingleItem().ImageId.ShouldBeOneOf(images);
    }

    [Fact]
    public async Task Racing_uploads_of_one_key_merge_every_user_id()
    {
        using var key = new GpgKey("Rae Race <rae@example.org>", "ed25519");
        var (_, token) = await factory.CreateUserAsync(RegistryFixture.Unique("keyrace"));
        (await KeyserverMergeTests.AddAsync(factory.Client(token), key.Armored)).Status.ShouldBe(HttpStatusCode.OK);
        // Each copy adds one more user id; a merge into a stale read would drop the later ones.
        var copies = Enumerable.Range(1, 6).Select(i => key.AddUid($"Rae {i} <rae{i}@example.org>")).ToList();

        var answers = await Task.WhenAll(copies.Select(copy => Task.Run(() => KeyserverMergeTests.AddAsync(factory.Client(token), copy))));

        answers.ShouldAllBe(a => a.Status == HttpStatusCode.OK);
        using var get = await factory.Client().GetAsync($"/pks/lookup?op=get&search=0x{key.Fingerprint}");
        GpgKey.UidsOf(await get.Content.ReadAsStringAsync()).Count.ShouldBe(7);
    }
}
