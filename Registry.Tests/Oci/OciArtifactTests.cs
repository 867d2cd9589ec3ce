using System.Net;
using System.Text.Json.Nodes;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>Container images and artifacts over raw HTTP: one tag names one thing across both faces, and the referrers API.</summary>
public sealed class OciArtifactTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private async Task<(OciClient Oci, string Token)> LoginAsync(string user)
    {
        var (_, token) = await factory.CreateUserAsync(user);
        var oci = new OciClient(factory.BaseAddress, user, token);
        (await oci.LoginAsync($"repository:{user}/lab/tool:pull,push,delete")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return (oci, token);
    }

    private static async Task<byte[]> ManifestAsync(OciClient oci, string path)
    {
        using var get = await oci.SendAsync(HttpMethod.Get, path);
        get.StatusCode.ShouldBe(HttpStatusCode.OK, path);
        return await get.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task A_tag_moves_between_a_sif_image_and_a_container_image_and_the_library_api_follows()
    {
        var (oci, token) = await LoginAsync("oart");
        var sif = SifBuilder.Bytes(3000);
        var (sifPut, sifManifest) = await oci.PushSifAsync("oart/lab/tool", "v1", sif);
        sifPut.StatusCode.ShouldBe(HttpStatusCode.Created);
        var library = new LibraryClient(factory.Client(token));
        (await library.PullAsync("oart/lab/tool:v1")).ShouldBe(sif);

        var (imagePut, image) = await oci.PushImageAsync("oart/lab/tool", "v1");
        imagePut.StatusCode.ShouldBe(HttpStatusCode.Created);
        imagePut.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(OciClient.Digest(image));
        (await ManifestAsync(oci, "/v2/oart/lab/tool/manifests/v1")).ShouldBe(image);
        using (var head = await oci.SendAsync(HttpMethod.Head, "/v2/oart/lab/tool/manifests/v1"))
        {
            head.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(OciClient.Digest(image));
            head.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.oci.image.manifest.v1+json");
        }
        (await library.PullAsync("oart/lab/tool:v1")).ShouldBeNull(); // the tag left the SIF image
        (await ManifestAsync(oci, $"/v2/oart/lab/tool/manifests/{OciClient.Digest(sifManifest)}")).ShouldBe(sifManifest); // which stays by digest

        // Back to the SIF, and the tag list names v1 once.
        (await oci.PutManifestAsync("oart/lab/tool", "v1", sifManifest)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await ManifestAsync(oci, "/v2/oart/lab/tool/manifests/v1")).ShouldBe(sifManifest);
        (await library.PullAsync("oart/lab/tool:v1")).ShouldBe(sif);
        (await oci.PutManifestAsync("oart/lab/tool", "latest", image)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var tags = JsonNode.Parse(await ManifestAsync(oci, "/v2/oart/lab/tool/tags/list"))!["tags"]!.AsArray().Select(t => (string)t!);
        tags.ShouldBe(["latest", "v1"]);

        // Delete the image manifest by digest: its tag goes, the SIF is untouched.
        using var delete = await oci.SendAsync(HttpMethod.Delete, $"/v2/oart/lab/tool/manifests/{OciClient.Digest(image)}");
        delete.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using (var gone = await oci.SendAsync(HttpMethod.Get, "/v2/oart/lab/tool/manifests/latest"))
            gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await library.PullAsync("oart/lab/tool:v1")).ShouldBe(sif);
    }

    [Fact]
    public async Task Referrers_list_the_manifests_whose_subject_is_a_digest_with_their_artifact_type()
    {
        var (oci, _) = await LoginAsync("oref");
        var (_, image) = await oci.PushImageAsync("oref/lab/tool", "v1", layers: 1);
        var subject = OciClient.Digest(image);
        var (sbomPut, sbom) = await oci.PushReferrerAsync("oref/lab/tool", image, "application/vnd.example.sbom", "sbom");
        sbomPut.StatusCode.ShouldBe(HttpStatusCode.Created, await sbomPut.Content.ReadAsStringAsync());
        sbomPut.Headers.GetValues("OCI-Subject").Single().ShouldBe(subject);
        var (_, signature) = await oci.PushReferrerAsync("oref/lab/tool", image, "application/vnd.example.signature", "sig");

        using var all = await oci.SendAsync(HttpMethod.Get, $"/v2/oref/lab/tool/referrers/{subject}");
        all.StatusCode.ShouldBe(HttpStatusCode.OK);
        all.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.oci.image.index.v1+json");
        var index = JsonNode.Parse(await all.Content.ReadAsStringAsync())!;
        var listed = index["manifests"]!.AsArray();
        listed.Select(m => (string)m!["digest"]!).ShouldBe([OciClient.Digest(sbom), OciClient.Digest(signature)], ignoreOrder: true);
        var first = listed.Single(m => (string)m!["digest"]! == OciClient.Digest(sbom))!;
        ((string)first["artifactType"]!).ShouldBe("application/vnd.example.sbom");
        ((long)first["size"]!).ShouldBe(sbom.Length);
        ((string)first["annotations"]!["org.example.note"]!).ShouldBe("sbom");

        using var filtered = await oci.SendAsync(HttpMethod.Get, $"/v2/oref/lab/tool/referrers/{subject}?artifactType=application/vnd.example.signature");
        filtered.Headers.GetValues("OCI-Filters-Applied").Single().ShouldBe("artifactType");
        JsonNode.Parse(await filtered.Content.ReadAsStringAsync())!["manifests"]!.AsArray().Select(m => (string)m!["digest"]!)
            .ShouldBe([OciClient.Digest(signature)]);
        // A digest nothing refers to: an empty index, not an error.
        using var none = await oci.SendAsync(HttpMethod.Get, $"/v2/oref/lab/tool/referrers/sha256:{new string('3', 64)}");
        none.StatusCode.ShouldBe(HttpStatusCode.OK);
        JsonNode.Parse(await none.Content.ReadAsStringAsync())!["manifests"]!.AsArray().ShouldBeEmpty();
        // Deleting a referrer takes it off the list.
        (await oci.SendAsync(HttpMethod.Delete, $"/v2/oref/lab/tool/manifests/{OciClient.Digest(sbom)}")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using var after = await oci.SendAsync(HttpMethod.Get, $"/v2/oref/lab/tool/referrers/{subject}");
        JsonNode.Parse(await after.Content.ReadAsStringAsync())!["manifests"]!.AsArray().Count.ShouldBe(1);

        // Another user's token sees nothing of a repository it has no scope for.
        var (stranger, _) = await LoginAsync("orefx");
        using var foreign = await stranger.SendAsync(HttpMethod.Get, $"/v2/oref/lab/tool/referrers/{subject}");
        foreign.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
