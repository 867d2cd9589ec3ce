using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>One store, two faces: what is pushed on /v2/ pulls through the Library API and the other way round.</summary>
public class OciPushPullTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task A_sif_pushed_by_tag_is_a_library_image_and_its_manifest_is_served_byte_for_byte()
    {
        var (_, token) = await factory.CreateUserAsync("ociann");
        var oci = new OciClient(factory.BaseAddress, "ociann", token);
        (await oci.LoginAsync("repository:ociann/lab/tool:pull,push,delete")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var sif = SifBuilder.Bytes(300_000);
        var (put, manifest) = await oci.PushSifAsync("ociann/lab/tool", "v1", sif);
        put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        var digest = OciClient.Digest(manifest);
        put.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(digest);
        put.Headers.Location!.ToString().ShouldBe($"/v2/ociann/lab/tool/manifests/{digest}");

        // The Library API sees an image of that container with that tag, byte-identical.
        var library = new LibraryClient(factory.Client(token));
        (await library.PullAsync("ociann/lab/tool:v1")).ShouldBe(sif);

        foreach (var reference in new[] { "v1", digest })
        {
            using var get = await oci.SendAsync(HttpMethod.Get, $"/v2/ociann/lab/tool/manifests/{reference}");
            get.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await get.Content.ReadAsByteArrayAsync()).ShouldBe(manifest);
            get.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.oci.image.manifest.v1+json");
            get.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(digest);
            using var head = await oci.SendAsync(HttpMethod.Head, $"/v2/ociann/lab/tool/manifests/{reference}");
            head.StatusCode.ShouldBe(HttpStatusCode.OK);
            head.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(digest);
            head.Content.Headers.ContentLength.ShouldBe(manifest.Length);
        }

        using var blob = await oci.SendAsync(HttpMethod.Get, $"/v2/ociann/lab/tool/blobs/{OciClient.Digest(sif)}");
        blob.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await blob.Content.ReadAsByteArrayAsync()).ShouldBe(sif);
        using var range = await oci.SendAsync(HttpMethod.Get, $"/v2/ociann/lab/tool/blobs/{OciClient.Digest(sif)}",
            setup: r => r.Headers.Range = new RangeHeaderValue(100, 199));
        range.StatusCode.ShouldBe(HttpStatusCode.PartialContent);
        (await range.Content.ReadAsByteArrayAsync()).ShouldBe(sif[100..200]);
        using var config = await oci.SendAsync(HttpMethod.Get, $"/v2/ociann/lab/tool/blobs/{OciClient.Digest("{}"u8.ToArray())}");
        (await config.Content.ReadAsStringAsync()).ShouldBe("{}");

        using var tags = await oci.SendAsync(HttpMethod.Get, "/v2/ociann/lab/tool/tags/list");
        (await tags.Content.ReadAsStringAsync()).ShouldBe("""{"name":"ociann/lab/tool","tags":["v1"]}""");

        // Delete by digest: the image goes on both faces.
        using var delete = await oci.SendAsync(HttpMethod.Delete, $"/v2/ociann/lab/tool/manifests/{digest}");
        delete.StatusCode.ShouldBe(HttpStatusCode.Accepted, await delete.Content.ReadAsStringAsync());
        (await library.PullAsync("ociann/lab/tool:v1")).ShouldBeNull();
        using var gone = await oci.SendAsync(HttpMethod.Get, $"/v2/ociann/lab/tool/manifests/{digest}");
        gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_library_push_is_served_as_a_sif_manifest_with_a_stable_digest()
    {
        var (_, token) = await factory.CreateUserAsync("ocibob");
        var sif = SifBuilder.Bytes(50_000);
        await new LibraryClient(factory.Client(token)).PushAsync("ocibob", "lab", "tool", sif, "latest", "v2");

        var anonymous = new OciClient(factory.BaseAddress);
        using var first = await anonymous.SendAsync(HttpMethod.Get, "/v2/ocibob/lab/tool/manifests/latest");
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        var manifest = await first.Content.ReadAsByteArrayAsync();
        var digest = first.Headers.GetValues("Docker-Content-Digest").Single();
        digest.ShouldBe(OciClient.Digest(manifest));
        var json = JsonNode.Parse(manifest)!;
        json["config"]!["mediaType"]!.GetValue<string>().ShouldBe("application/vnd.sylabs.sif.config.v1+json");
        json["layers"]!.AsArray().Count.ShouldBe(1);
        json["layers"]![0]!["mediaType"]!.GetValue<string>().ShouldBe("application/vnd.sylabs.sif.layer.v1.sif");
        json["layers"]![0]!["digest"]!.GetValue<string>().ShouldBe(OciClient.Digest(sif));
        json["layers"]![0]!["size"]!.GetValue<long>().ShouldBe(sif.Length);

        // Same bytes for the other tag and by digest: the digest does not depend on the request.
        using var second = await anonymous.SendAsync(HttpMethod.Get, "/v2/ocibob/lab/tool/manifests/v2");
        (await second.Content.ReadAsByteArrayAsync()).ShouldBe(manifest);
        using var byDigest = await anonymous.SendAsync(HttpMethod.Get, $"/v2/ocibob/lab/tool/manifests/{digest}");
        (await byDigest.Content.ReadAsByteArrayAsync()).ShouldBe(manifest);
        using var blob = await anonymous.SendAsync(HttpMethod.Get, $"/v2/ocibob/lab/tool/blobs/{OciClient.Digest(sif)}");
        (await blob.Content.ReadAsByteArrayAsync()).ShouldBe(sif);
    }

    [Fact]
    public async Task Tags_list_pages_with_n_and_last_and_a_link_header()
    {
        var (_, token) = await factory.CreateUserAsync("ocicat");
        await new LibraryClient(factory.Client(token)).PushAsync("ocicat", "lab", "tool", SifBuilder.Bytes(2000), "c", "a", "b", "d");
        var anonymous = new OciClient(factory.BaseAddress);
        using var first = await anonymous.SendAsync(HttpMethod.Get, "/v2/ocicat/lab/tool/tags/list?n=2");
        (await first.Content.ReadAsStringAsync()).ShouldBe("""{"name":"ocicat/lab/tool","tags":["a","b"]}""");
        first.Headers.GetValues("Link").Single().ShouldBe("</v2/ocicat/lab/tool/tags/list?n=2&last=b>; rel=\"next\"");
        using var second = await anonymous.SendAsync(HttpMethod.Get, "/v2/ocicat/lab/tool/tags/list?n=2&last=b");
        (await second.Content.ReadAsStringAsync()).ShouldBe("""{"name":"ocicat/lab/tool","tags":["c","d"]}""");
        second.Headers.Contains("Link").ShouldBeFalse();
        using var none = await anonymous.SendAsync(HttpMethod.Get, "/v2/ocicat/lab/tool/tags/list?n=0");
        (await none.Content.ReadAsStringAsync()).ShouldBe("""{"name":"ocicat/lab/tool","tags":[]}""");
    }

    [Fact]
    public async Task Concurrent_puts_of_the_same_manifest_tag_all_succeed_and_leave_one_image()
    {
        var (_, token) = await factory.CreateUserAsync("ocidan");
        var oci = new OciClient(factory.BaseAddress, "ocidan", token);
        await oci.LoginAsync("repository:ocidan/lab/tool:pull,push");
        var sif = SifBuilder.Bytes(20_000);
        (await oci.PushBlobAsync("ocidan/lab/tool", "{}"u8.ToArray())).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await oci.PushBlobAsync("ocidan/lab/tool", sif)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var manifest = OciClient.SifManifestOf(sif);
        var puts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => oci.PutManifestAsync("ocidan/lab/tool", "v1", manifest)));
        foreach (var put in puts) put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        var (_, images) = await new LibraryClient(factory.Client(token)).GetAsync("/v1/containers/ocidan/lab/tool");
        images!["data"]!["images"]!.AsArray().Count.ShouldBe(1);
        using var tags = await oci.SendAsync(HttpMethod.Get, "/v2/ocidan/lab/tool/tags/list");
        (await tags.Content.ReadAsStringAsync()).ShouldBe("""{"name":"ocidan/lab/tool","tags":["v1"]}""");
    }
    [Fact]
    public async Task The_catalog_lists_visible_repositories_with_paging_and_hides_private_ones()
    {
        var (_, token) = await factory.CreateUserAsync("ocicata");
        var library = new LibraryClient(factory.Client(token));
        var (_, entity) = await library.GetAsync("/v1/entities/ocicata");
        (await library.PostAsync("/v1/collections", new { name = "hidden", entity = (string)entity!["data"]!["id"]!, @private = true })).Status.ShouldBe(HttpStatusCode.OK);
        foreach (var (collection, container) in new[] { ("pub", "b"), ("pub", "a"), ("hidden", "x") })
            await library.PushAsync("ocicata", collection, container, SifBuilder.Bytes(1500), "v1");

        var anonymous = new OciClient(factory.BaseAddress);
        using var page = await anonymous.SendAsync(HttpMethod.Get, "/v2/_catalog?n=1&last=ocicata/p");
        (await page.Content.ReadAsStringAsync()).ShouldBe("""{"repositories":["ocicata/pub/a"]}""");
        page.Headers.GetValues("Link").Single().ShouldBe("</v2/_catalog?n=1&last=ocicata%2Fpub%2Fa>; rel=\"next\"");
        using var all = await anonymous.SendAsync(HttpMethod.Get, "/v2/_catalog");
        var names = System.Text.Json.Nodes.JsonNode.Parse(await all.Content.ReadAsStringAsync())!["repositories"]!.AsArray().Select(n => (string)n!).ToList();
        names.ShouldContain("ocicata/pub/b");
        names.ShouldNotContain("ocicata/hidden/x");
        var owner = new OciClient(factory.BaseAddress, "ocicata", token);
        await owner.LoginAsync("repository:ocicata/hidden/x:pull");
        using var own = await owner.SendAsync(HttpMethod.Get, "/v2/_catalog?last=ocicata/hidden/w&n=1");
        (await own.Content.ReadAsStringAsync()).ShouldBe("""{"repositories":["ocicata/hidden/x"]}""");
        using var bad = await anonymous.SendAsync(HttpMethod.Get, "/v2/_catalog?n=x");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
