using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Data;
using Registry.Core.Storage;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>gc and <c>/v2/</c>: container image blobs stay while a manifest uses them; links with no manifest or no bytes go.</summary>
public class OciGcTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private IBlobStore Store => factory.Services.GetRequiredService<IBlobStore>();

    /// <summary>Every blob and link older than gc's grace period, as if the pushes were hours ago.</summary>
    private async Task AgeEverythingAsync()
    {
        var past = DateTime.UtcNow - factory.Services.GetRequiredService<StorageMaintenance>().GracePeriod - TimeSpan.FromMinutes(5);
        foreach (var (digest, _) in Store.List().ToList()) File.SetLastWriteTimeUtc(Store.PathOf(digest), past);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        await db.OciBlobLinks.ExecuteUpdateAsync(u => u.SetProperty(l => l.CreatedAt, past));
    }

    private async Task<int> LinksAsync(string repo)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        return await db.OciBlobLinks.CountAsync(l => l.Repository == repo);
    }

    private static Digest DigestOf(string oci) => new(oci["sha256:".Length..]);

    [Fact]
    public async Task Gc_keeps_what_manifests_use_and_prunes_links_whose_manifest_or_bytes_are_gone()
    {
        var (_, token) = await factory.CreateUserAsync("ogc");
        var oci = new OciClient(factory.BaseAddress, "ogc", token);
        await oci.LoginAsync("repository:ogc/lab/app:pull,push,delete repository:ogc/lab/copy:pull,push,delete");
        var (_, manifest) = await oci.PushImageAsync("ogc/lab/app", "v1", layers: 2);
        var layers = JsonNode.Parse(manifest)!["layers"]!.AsArray().Select(l => (string)l!["digest"]!).ToList();
        // The same first layer in a second repository, by mount, under an image of its own.
        (await oci.SendAsync(HttpMethod.Post, $"/v2/ogc/lab/copy/blobs/uploads/?mount={layers[0]}&from=ogc/lab/app")).StatusCode.ShouldBe(HttpStatusCode.Created);
        var config = "{}"u8.ToArray();
        var copy = System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = OciImages.Descriptor("application/vnd.oci.image.config.v1+json", config),
            ["layers"] = new JsonArray(JsonNode.Parse(manifest)!["layers"]![0]!.DeepClone()),
        }.ToJsonString());
        (await oci.PutManifestAsync("ogc/lab/copy", "v1", copy)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var unused = RandomNumberGenerator.GetBytes(777);
        (await oci.PushBlobAsync("ogc/lab/app", unused)).StatusCode.ShouldBe(HttpStatusCode.Created);

        var maintenance = factory.Services.GetRequiredService<StorageMaintenance>();
        await AgeEverythingAsync();
        var dry = await maintenance.CollectGarbageAsync(dryRun: true);
        dry.Links.ShouldBe(1);
        (await LinksAsync("ogc/lab/app")).ShouldBe(4); // config, two layers, the unused blob: a dry run changes nothing
        var first = await maintenance.CollectGarbageAsync(dryRun: false);
        first.Links.ShouldBe(1);
        first.BlobBytes.ShouldBe(777);
        (await LinksAsync("ogc/lab/app")).ShouldBe(3);
        Store.Exists(DigestOf(OciClient.Digest(unused))).ShouldBeFalse();
        foreach (var layer in layers) Store.Exists(DigestOf(layer)).ShouldBeTrue();
        using (var pulled = await oci.SendAsync(HttpMethod.Get, $"/v2/ogc/lab/app/blobs/{layers[1]}"))
            pulled.StatusCode.ShouldBe(HttpStatusCode.OK);

        // The image manifest goes: its links go with the next gc, and the bytes no other manifest uses.
        (await oci.SendAsync(HttpMethod.Delete, $"/v2/ogc/lab/app/manifests/{OciClient.Digest(manifest)}")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await AgeEverythingAsync();
        var second = await maintenance.CollectGarbageAsync(dryRun: false);
        second.Links.ShouldBe(3);
        (await LinksAsync("ogc/lab/app")).ShouldBe(0);
        Store.Exists(DigestOf(layers[1])).ShouldBeFalse();
        Store.Exists(DigestOf(layers[0])).ShouldBeTrue(); // ogc/lab/copy's manifest still uses it
        using (var head = await oci.SendAsync(HttpMethod.Head, $"/v2/ogc/lab/app/blobs/{layers[0]}"))
            head.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using (var kept = await oci.SendAsync(HttpMethod.Get, $"/v2/ogc/lab/copy/blobs/{layers[0]}"))
            kept.StatusCode.ShouldBe(HttpStatusCode.OK);

        // A young link whose bytes are gone (removed by hand, or quarantined) is pruned at once.
        var young = RandomNumberGenerator.GetBytes(99);
        (await oci.PushBlobAsync("ogc/lab/copy", young)).StatusCode.ShouldBe(HttpStatusCode.Created);
        Store.Delete(DigestOf(OciClient.Digest(young)));
        (await maintenance.CollectGarbageAsync(dryRun: false)).Links.ShouldBe(1);
        (await LinksAsync("ogc/lab/copy")).ShouldBe(1);
    }

    [Fact]
    public async Task A_manifest_stored_before_blob_references_were_kept_has_them_filled_at_gc_and_keeps_its_blobs()
    {
        var (_, token) = await factory.CreateUserAsync("ogcold");
        var oci = new OciClient(factory.BaseAddress, "ogcold", token);
        await oci.LoginAsync("repository:ogcold/lab/app:pull,push");
        var (_, manifest) = await oci.PushImageAsync("ogcold/lab/app", "v1", layers: 2);
        var named = JsonNode.Parse(manifest)!["layers"]!.AsArray().Prepend(JsonNode.Parse(manifest)!["config"])
            .Select(d => (Hash: ((string)d!["digest"]!)["sha256:".Length..], Size: (long)d["size"]!)).OrderBy(r => r.Hash, StringComparer.Ordinal).ToList();
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>();
        var hash = OciClient.Digest(manifest)["sha256:".Length..];
        // As the upgrade finds it: no reference rows, not marked as parsed, links without sizes.
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var id = await db.OciManifests.Where(m => m.Hash == hash).Select(m => m.Id).SingleAsync();
            (await db.OciManifestRefs.Where(r => r.ManifestId == id).Select(r => new { r.Hash, r.Size }).ToListAsync())
                .Select(r => (r.Hash, r.Size)).OrderBy(r => r.Hash, StringComparer.Ordinal).ShouldBe(named); // what a PUT writes today
            await db.OciManifestRefs.Where(r => r.ManifestId == id).ExecuteDeleteAsync();
            await db.OciManifests.Where(m => m.Id == id).ExecuteUpdateAsync(u => u.SetProperty(m => m.RefsStored, false));
            await db.OciBlobLinks.Where(l => l.Repository == "ogcold/lab/app").ExecuteUpdateAsync(u => u.SetProperty(l => l.Size, (long?)null));
        }

        await AgeEverythingAsync();
        await factory.Services.GetRequiredService<StorageMaintenance>().CollectGarbageAsync(dryRun: false);
        foreach (var (digest, _) in named) Store.Exists(new Digest(digest)).ShouldBeTrue();
        (await LinksAsync("ogcold/lab/app")).ShouldBe(3);
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var stored = await db.OciManifests.SingleAsync(m => m.Hash == hash);
            stored.RefsStored.ShouldBeTrue();
            (await db.OciManifestRefs.Where(r => r.ManifestId == stored.Id).Select(r => new { r.Hash, r.Size }).ToListAsync())
                .Select(r => (r.Hash, r.Size)).OrderBy(r => r.Hash, StringComparer.Ordinal).ShouldBe(named);
            (await db.OciBlobLinks.Where(l => l.Repository == "ogcold/lab/app").Select(l => new { l.Hash, l.Size }).ToListAsync())
                .Select(l => (l.Hash, l.Size ?? -1)).OrderBy(l => l.Hash, StringComparer.Ordinal).ShouldBe(named);
        }
        using var pulled = await oci.SendAsync(HttpMethod.Get, $"/v2/ogcold/lab/app/blobs/sha256:{named[^1].Hash}");
        pulled.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
