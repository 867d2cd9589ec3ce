using System.Net;
using System.Text;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>Bad digests, names that try to leave their folder, absurd ranges, forged sessions, oversized and foreign manifests: clear OCI errors, never a 500.</summary>
public sealed class OciHostileInputTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private async Task<OciClient> LoginAsync(string user)
    {
        var (_, token) = await factory.CreateUserAsync(user);
        var oci = new OciClient(factory.BaseAddress, user, token);
        (await oci.LoginAsync($"repository:{user}/lab/tool:pull,push,delete")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return oci;
    }

    [Theory]
    [InlineData("/v2/ohost/lab/tool/blobs/sha256:abc", 400, "DIGEST_INVALID")]
    [InlineData("/v2/ohost/lab/tool/blobs/sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 400, "DIGEST_INVALID")]
    [InlineData("/v2/ohost/lab/tool/blobs/sha512:0000", 400, "DIGEST_INVALID")]
    [InlineData("/v2/ohost/lab/tool/manifests/sha512:00000000", 400, "MANIFEST_INVALID")]
    [InlineData("/v2/ohost/lab/tool/manifests/Not_A_Tag!", 400, "MANIFEST_INVALID")]
    [InlineData("/v2/ohost/lab/..%2F..%2Fetc/manifests/latest", 400, "NAME_INVALID")]
    [InlineData("/v2/ohost/lab/..tool/manifests/latest", 400, "NAME_INVALID")]
    [InlineData("/v2/ohost/lab/tool%2Fx/manifests/latest", 400, "NAME_INVALID")]
    [InlineData("/v2/ohost/LAB/tool/tags/list", 400, "NAME_INVALID")]
    [InlineData("/v2/ohost/lab/tool/tags/list?n=-1", 400, "UNSUPPORTED")]
    [InlineData("/v2/ohost/lab/tool/tags/list?n=99999999999999999999", 400, "UNSUPPORTED")]
    [InlineData("/v2/ohost/lab/tool/referrers/sha256:abc", 400, "DIGEST_INVALID")]
    [InlineData("/v2/ohost/lab/tool/referrers/latest", 400, "DIGEST_INVALID")]
    [InlineData("/v2/ohost/lab/tool/tags/other", 404, "UNSUPPORTED")]
    public async Task Bad_names_and_references_are_oci_errors(string path, int status, string code)
    {
        var oci = await LoginAsync("ohost" + Guid.NewGuid().ToString("N")[..6]);
        using var response = await oci.SendAsync(HttpMethod.Get, path);
        ((int)response.StatusCode).ShouldBe(status, await response.Content.ReadAsStringAsync());
        (await OciClient.ErrorCodeAsync(response)).ShouldBe(code);
    }

    [Fact]
    public async Task Forged_sessions_huge_ranges_and_oversized_or_broken_manifests_are_refused()
    {
        var oci = await LoginAsync("ohostile");
        using var start = await oci.SendAsync(HttpMethod.Post, "/v2/ohostile/lab/tool/blobs/uploads/");
        var session = start.Headers.Location!.ToString();

        // A session id is bound to its repository and user; a made-up or moved one is unknown.
        foreach (var forged in new[] { "/v2/ohostile/lab/tool/blobs/uploads/Li4vLi4vZXRj.9999999999.00", session.Replace("/lab/tool/", "/lab/other/"),
                     session[..^2] + "00", "/v2/ohostile/lab/tool/blobs/uploads/x" })
        {
            using var patch = await oci.SendAsync(HttpMethod.Patch, forged, [1, 2, 3]);
            patch.StatusCode.ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.Unauthorized);
        }

        foreach (var range in new[] { "99999999999999999999-99999999999999999999", "9223372036854775806-9223372036854775807", "5-1", "abc", "0-" })
        {
            using var huge = await oci.SendAsync(HttpMethod.Patch, session, [1, 2, 3], r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", range));
            huge.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable, range);
            huge.Headers.GetValues("Range").Single().ShouldBe("0-0");
        }
        using var badDigest = await oci.SendAsync(HttpMethod.Put, $"{session}?digest=md5:abc");
        badDigest.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCodeAsync(badDigest)).ShouldBe("DIGEST_INVALID");

        // On a connection of its own: the server answers before reading the body and closes it.
        var once = new OciClient(factory.BaseAddress);
        once.Http.DefaultRequestHeaders.Authorization = oci.Http.DefaultRequestHeaders.Authorization;
        using var oversized = await once.PutManifestAsync("ohostile/lab/tool", "v1", new byte[(1 << 20) + 10]);
        oversized.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await OciClient.ErrorCodeAsync(oversized)).ShouldBe("MANIFEST_INVALID");

        var layer = "sha256:" + new string('1', 64);
        var missingLayer = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{layer}}","size":5}]}""");
        var missingChild = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{layer}}","size":5}]}""");
        const string index = "application/vnd.oci.image.index.v1+json", image = "application/vnd.oci.image.manifest.v1+json";
        foreach (var (body, type, status, code, message) in new[]
                 {
                     (missingLayer, image, 404, "MANIFEST_BLOB_UNKNOWN", $"blob {layer} (application/vnd.oci.image.layer.v1.tar) has not been pushed to ohostile/lab/tool"),
                     (missingChild, index, 404, "MANIFEST_BLOB_UNKNOWN", $"blob {layer}: the index names a manifest that has not been pushed to ohostile/lab/tool"),
                     ("not json"u8.ToArray(), image, 400, "MANIFEST_INVALID", "the manifest is not valid JSON"),
                     ("""{"schemaVersion":"two","mediaType":"application/vnd.oci.image.manifest.v1+json"}"""u8.ToArray(), image, 400, "MANIFEST_INVALID", "the manifest's fields have the wrong JSON types"),
                     ("""{"schemaVersion":1,"name":"x","fsLayers":[]}"""u8.ToArray(), image, 400, "MANIFEST_INVALID", "schemaVersion must be 2 (schema 1 manifests are not stored)"),
                     ("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"}"""u8.ToArray(), index, 400, "MANIFEST_INVALID", "an index lists its manifests"),
                     ("""{"schemaVersion":2,"mediaType":"text/plain","layers":[]}"""u8.ToArray(), "text/plain", 400, "MANIFEST_INVALID", "'text/plain' is not a manifest type stored here: use OCI or Docker v2 schema 2 manifests and indexes"),
                     ("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"""u8.ToArray(), image, 400, "MANIFEST_INVALID",
                         "the manifest says mediaType application/vnd.oci.image.index.v1+json but was sent as application/vnd.oci.image.manifest.v1+json"),
                 })
        {
            using var refused = await oci.PutManifestAsync("ohostile/lab/tool", "v1", body, type);
            ((int)refused.StatusCode).ShouldBe(status);
            (await refused.Content.ReadAsStringAsync()).ShouldBe($$"""{"errors":[{"code":"{{code}}","message":"{{message}}","detail":null}]}""");
        }

        // Dot segments are resolved before routing: this is /v2/ohostile/manifests/latest, no repository at all.
        using var dots = await new HttpClient { BaseAddress = factory.BaseAddress }.GetAsync("/v2/ohostile/lab/%2e%2e/manifests/latest");
        dots.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // A manifest pushed by a digest it does not hash to.
        var sif = SifBuilder.Bytes(2000);
        (await oci.PushBlobAsync("ohostile/lab/tool", sif)).StatusCode.ShouldBe(HttpStatusCode.Created);
        using var misnamed = await oci.PutManifestAsync("ohostile/lab/tool", OciClient.Digest(sif), OciClient.SifManifestOf(sif));
        misnamed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        // Bytes that are no SIF are not published as an image.
        var notSif = System.Security.Cryptography.RandomNumberGenerator.GetBytes(5000);
        (await oci.PushBlobAsync("ohostile/lab/tool", notSif)).StatusCode.ShouldBe(HttpStatusCode.Created);
        using var rejected = await oci.PutManifestAsync("ohostile/lab/tool", "v1", OciClient.SifManifestOf(notSif));
        rejected.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var none = await oci.SendAsync(HttpMethod.Get, "/v2/ohostile/lab/tool/tags/list");
        ((int)none.StatusCode).ShouldBeOneOf(200, 404);
    }
}
