using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Data;
using Registry.Core.Storage;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>
/// Container images pushed through <c>/v2/</c> count against their entity's quota, each distinct blob once (a layer shared
/// by two images, or mounted into a second repository, counts once); past the quota a push is <c>DENIED</c> and keeps
/// nothing; gc of a deleted image gives its bytes back.
/// </summary>
public sealed class OciImageQuotaTests(SmallQuotaFactory factory) : IClassFixture<SmallQuotaFactory>
{
    private static readonly byte[] Config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");

    private static byte[] Manifest(params byte[][] layers) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
        ["config"] = OciImages.Descriptor("application/vnd.oci.image.config.v1+json", Config),
        ["layers"] = new JsonArray(layers.Select(l => (JsonNode)OciImages.Descriptor("application/vnd.oci.image.layer.v1.tar", l)).ToArray()),
    }.ToJsonString());

    /// <summary>What the Library API answers a 19,000-byte image: its message states the entity's usage.</summary>
    private async Task<string> LibraryRefusalAsync(string token)
    {
        var library = new LibraryClient(factory.Client(token));
        var (_, entity) = await library.GetAsync("/v1/entities/oqimg");
        var (cs, c) = await library.GetAsync("/v1/collections/oqimg/sifs");
        if (cs == HttpStatusCode.NotFound) (_, c) = await library.PostAsync("/v1/collections", new { name = "sifs", entity = (string)entity!["data"]!["id"]! });
        var (xs, x) = await library.GetAsync("/v1/containers/oqimg/sifs/tool");
        if (xs == HttpStatusCode.NotFound) (_, x) = await library.PostAsync("/v1/containers", new { name = "tool", collection = (string)c!["data"]!["id"]! });
        var sif = SifBuilder.Bytes(19_000);
        var (_, image) = await library.PostAsync("/v1/images", new { hash = "sha256." + Convert.ToHexStringLower(SHA256.HashData(sif)), container = (string)x!["data"]!["id"]! });
        var (status, body) = await library.PostAsync($"/v2/imagefile/{image!["data"]!["id"]}", new { filesize = sif.Length });
        status.ShouldBe(HttpStatusCode.InsufficientStorage);
        return (string)body!["error"]!["message"]!;
    }

    [Fact]
    public async Task Container_image_blobs_count_once_each_and_a_push_past_the_quota_is_denied_and_keeps_nothing()
    {
        var (_, token) = await factory.CreateUserAsync("oqimg");
        var oci = new OciClient(factory.BaseAddress, "oqimg", token);
        await oci.LoginAsync("repository:oqimg/lab/app:pull,push,delete repository:oqimg/lab/copy:pull,push,delete");
        var (shared, own, extra, big) = (RandomNumberGenerator.GetBytes(6000), RandomNumberGenerator.GetBytes(6000), RandomNumberGenerator.GetBytes(3000),
            RandomNumberGenerator.GetBytes(6000));
        foreach (var blob in new[] { Config, shared, own }) (await oci.PushBlobAsync("oqimg/lab/app", blob)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var first = Manifest(shared, own);
        (await oci.PutManifestAsync("oqimg/lab/app", "v1", first)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await LibraryRefusalAsync(token)).ShouldBe($"quota exceeded: oqimg uses {Config.Length + 12_000} of 20000 bytes and this image needs 19000 more");

        // A second image in another repository: the config and shared layer mounted (counted once), one layer of its own.
        foreach (var blob in new[] { Config, shared })
            (await oci.SendAsync(HttpMethod.Post, $"/v2/oqimg/lab/copy/blobs/uploads/?mount={OciClient.Digest(blob)}&from=oqimg/lab/app")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await oci.PushBlobAsync("oqimg/lab/copy", extra)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await oci.PutManifestAsync("oqimg/lab/copy", "v1", Manifest(shared, extra))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var usage = Config.Length + 15_000;
        (await LibraryRefusalAsync(token)).ShouldBe($"quota exceeded: oqimg uses {usage} of 20000 bytes and this image needs 19000 more");

        // Past the quota: the layer is refused with the OCI error DENIED, and neither it nor the manifest naming it is kept.
        using (var start = await oci.SendAsync(HttpMethod.Post, "/v2/oqimg/lab/copy/blobs/uploads/"))
        using (var patch = await oci.SendAsync(HttpMethod.Patch, start.Headers.Location!.ToString(), big))
        {
            patch.StatusCode.ShouldBe(HttpStatusCode.InsufficientStorage);
            (await patch.Content.ReadAsStringAsync()).ShouldBe(
                $$"""{"errors":[{"code":"DENIED","message":"quota exceeded: oqimg uses {{usage}} of 20000 bytes and this blob does not fit","detail":null}]}""");
        }
        using (var put = await oci.PutManifestAsync("oqimg/lab/copy", "v2", Manifest(shared, big)))
            (await OciClient.ErrorCodeAsync(put)).ShouldBe("MANIFEST_BLOB_UNKNOWN");
        using (var head = await oci.SendAsync(HttpMethod.Head, $"/v2/oqimg/lab/copy/blobs/{OciClient.Digest(big)}"))
            head.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using (var tags = await oci.SendAsync(HttpMethod.Get, "/v2/oqimg/lab/copy/tags/list"))
            (await tags.Content.ReadAsStringAsync()).ShouldBe("""{"name":"oqimg/lab/copy","tags":["v1"]}""");

        // The first image deleted and collected: its own layer's bytes come back, the shared one still counts for the copy.
        (await oci.SendAsync(HttpMethod.Delete, $"/v2/oqimg/lab/app/manifests/{OciClient.Digest(first)}")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await AgeLinksAsync();
        await factory.Services.GetRequiredService<StorageMaintenance>().CollectGarbageAsync(dryRun: false);
        (await LibraryRefusalAsync(token)).ShouldBe($"quota exceeded: oqimg uses {usage - 6000} of 20000 bytes and this image needs 19000 more");
        (await oci.PushBlobAsync("oqimg/lab/copy", big)).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    /// <summary>Every link older than gc's grace period, as if the pushes were hours ago.</summary>
    private async Task AgeLinksAsync()
    {
        var past = DateTime.UtcNow - factory.Services.GetRequiredService<StorageMaintenance>().GracePeriod - TimeSpan.FromMinutes(5);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        await db.OciBlobLinks.ExecuteUpdateAsync(u => u.SetProperty(l => l.CreatedAt, past));
    }
}
