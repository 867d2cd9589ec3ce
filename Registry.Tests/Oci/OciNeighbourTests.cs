using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>
/// What a delete on one face must leave of the other: a container image pushed beside a SIF image, and a repository
/// that mounted an image's SIF, keep what they serve when the Library image goes.
/// </summary>
public sealed class OciNeighbourTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task Deleting_a_containers_last_sif_image_keeps_the_container_images_pushed_beside_it()
    {
        var (_, token) = await factory.CreateUserAsync("neigh");
        var oci = new OciClient(factory.BaseAddress, "neigh", token);
        (await oci.LoginAsync("repository:neigh/lab/tool:pull,push,delete")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (sifPut, sifManifest) = await oci.PushSifAsync("neigh/lab/tool", "v1", SifBuilder.Bytes(3000));
        sifPut.StatusCode.ShouldBe(HttpStatusCode.Created);
        var (imagePut, imageManifest) = await oci.PushImageAsync("neigh/lab/tool", "app");
        imagePut.StatusCode.ShouldBe(HttpStatusCode.Created);

        using (var deleted = await oci.SendAsync(HttpMethod.Delete, $"/v2/neigh/lab/tool/manifests/{OciClient.Digest(sifManifest)}"))
            deleted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using var app = await oci.SendAsync(HttpMethod.Get, "/v2/neigh/lab/tool/manifests/app");
        app.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.Content.ReadAsByteArrayAsync()).ShouldBe(imageManifest);
        using var tags = await oci.SendAsync(HttpMethod.Get, "/v2/neigh/lab/tool/tags/list");
        (await tags.Content.ReadAsStringAsync()).ShouldBe("""{"name":"neigh/lab/tool","tags":["app"]}""");
    }

    [Fact]
    public async Task A_library_image_deleted_after_its_sif_was_mounted_elsewhere_leaves_the_bytes_that_repository_serves()
    {
        var (_, token) = await factory.CreateUserAsync("mounter");
        var sif = SifBuilder.Bytes(5000);
        var library = new LibraryClient(factory.Client(token));
        await library.PushAsync("mounter", "lab", "src", sif, "v1");
        var oci = new OciClient(factory.BaseAddress, "mounter", token);
        (await oci.LoginAsync("repository:mounter/lab/src:pull repository:mounter/lab/dst:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using (var mount = await oci.SendAsync(HttpMethod.Post, $"/v2/mounter/lab/dst/blobs/uploads/?mount={OciClient.Digest(sif)}&from=mounter/lab/src"))
            mount.StatusCode.ShouldBe(HttpStatusCode.Created);
        // An artifact in the target whose one layer is that SIF (not a SIF manifest: it stays an artifact there).
        var config = Encoding.UTF8.GetBytes("""{"note":"copy"}""");
        (await oci.PushBlobAsync("mounter/lab/dst", config)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = ImageLayout.ManifestType, ["artifactType"] = "application/vnd.example.copy",
            ["config"] = OciImages.Descriptor("application/vnd.example.config+json", config),
            ["layers"] = new JsonArray(OciImages.Descriptor("application/octet-stream", sif)),
        }.ToJsonString());
        (await oci.PutManifestAsync("mounter/lab/dst", "v1", manifest)).StatusCode.ShouldBe(HttpStatusCode.Created);

        (await library.SendAsync(HttpMethod.Delete, "/v1/images/mounter/lab/src:v1?arch=amd64")).Status.ShouldBe(HttpStatusCode.OK);
        (await library.PullAsync("mounter/lab/src:v1")).ShouldBeNull();
        using var blob = await oci.SendAsync(HttpMethod.Get, $"/v2/mounter/lab/dst/blobs/{OciClient.Digest(sif)}");
        blob.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await blob.Content.ReadAsByteArrayAsync()).ShouldBe(sif);
    }
}
