using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Oci;

/// <summary>
/// A Library tag on several architectures is an OCI image index on <c>/v2/</c> (built on demand, stable digest), each
/// child the SIF manifest of one architecture: skopeo <c>--override-arch</c> pulls the right SIF, the real library client
/// pulls each architecture, and a tag on one architecture stays a plain manifest.
/// </summary>
public sealed class SifIndexTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("registry-sifindex-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Host => factory.BaseAddress.Authority;
    private string Url => factory.BaseAddress.ToString().TrimEnd('/');

    private Task<ProcessResult> SkopeoAsync(params string[] args) => ProcessRunner.RunAsync("skopeo", ["--insecure-policy", .. args],
        new Dictionary<string, string?> { ["HOME"] = _work, ["REGISTRY_AUTH_FILE"] = Path.Combine(_work, "auth.json") }, timeout: TimeSpan.FromMinutes(3));

    /// <summary>The manifest served for an image pushed through the Library API (docs/oci.md §SIF manifests), written out here.</summary>
    private static byte[] BuiltManifest(string container, byte[] sif) => Encoding.UTF8.GetBytes(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.sylabs.sif.config.v1+json\","
        + "\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},\"layers\":[{\"mediaType\":\"application/vnd.sylabs.sif.layer.v1.sif\","
        + $"\"digest\":\"{OciClient.Digest(sif)}\",\"size\":{sif.Length},\"annotations\":{{\"org.opencontainers.image.title\":\"{container}.sif\"}}}}]}}");

    private static string Child(byte[] manifest, string platform) =>
        $"{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{OciClient.Digest(manifest)}\",\"size\":{manifest.Length},\"platform\":{platform}}}";

    private const string Amd64 = """{"architecture":"amd64","os":"linux"}""";
    private const string Arm64 = """{"architecture":"arm64","os":"linux","variant":"v8"}""";

    [Fact]
    public async Task A_library_tag_on_two_architectures_is_an_index_and_skopeo_and_the_library_client_pull_each_architecture()
    {
        var (_, token) = await factory.CreateUserAsync("idxann");
        var sifs = new SifFiles(Path.Combine(_work, "sif"));
        var (amdPath, armPath) = (await sifs.CreateAsync(300_000, "amd64"), await sifs.CreateAsync(200_000, "arm64"));
        var (amd, arm) = (await File.ReadAllBytesAsync(amdPath), await File.ReadAllBytesAsync(armPath));
        foreach (var (path, arch, tag) in new[] { (amdPath, "amd64", "v1"), (armPath, "arm64", "v1"), (amdPath, "amd64", "solo") })
        {
            var push = await GoDriver.RunAgainstAsync(Url, token, ["push", path, "idxann/lab/tool", tag, "-arch", arch]);
            push.ExitCode.ShouldBe(0, push.ToString());
        }

        var anonymous = new OciClient(factory.BaseAddress);
        using var get = await anonymous.SendAsync(HttpMethod.Get, "/v2/idxann/lab/tool/manifests/v1");
        get.StatusCode.ShouldBe(HttpStatusCode.OK);
        get.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.oci.image.index.v1+json");
        var index = await get.Content.ReadAsByteArrayAsync();
        var (amdManifest, armManifest) = (BuiltManifest("tool", amd), BuiltManifest("tool", arm));
        Encoding.UTF8.GetString(index).ShouldBe("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
            + Child(amdManifest, Amd64) + "," + Child(armManifest, Arm64) + "]}");
        get.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(OciClient.Digest(index));

        // Stable: the same bytes by digest and on the next request; each child by its digest is its SIF manifest.
        using (var byDigest = await anonymous.SendAsync(HttpMethod.Get, $"/v2/idxann/lab/tool/manifests/{OciClient.Digest(index)}"))
            (await byDigest.Content.ReadAsByteArrayAsync()).ShouldBe(index);
        using (var again = await anonymous.SendAsync(HttpMethod.Head, "/v2/idxann/lab/tool/manifests/v1"))
            again.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(OciClient.Digest(index));
        using (var child = await anonymous.SendAsync(HttpMethod.Get, $"/v2/idxann/lab/tool/manifests/{OciClient.Digest(armManifest)}"))
            (await child.Content.ReadAsByteArrayAsync()).ShouldBe(armManifest);
        // One architecture: a plain manifest, as every apptainer release pulls it.
        using (var solo = await anonymous.SendAsync(HttpMethod.Get, "/v2/idxann/lab/tool/manifests/solo"))
        {
            solo.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.oci.image.manifest.v1+json");
            (await solo.Content.ReadAsByteArrayAsync()).ShouldBe(amdManifest);
        }

        foreach (var (arch, sif, manifest) in new[] { ("arm64", arm, armManifest), ("amd64", amd, amdManifest) })
        {
            var layout = Path.Combine(_work, "out-" + arch);
            var pull = await SkopeoAsync("--override-arch", arch, "copy", "--src-tls-verify=false", $"docker://{Host}/idxann/lab/tool:v1", $"oci:{layout}:v1");
            pull.ExitCode.ShouldBe(0, pull.ToString());
            (await OciLayout.ReadBlobAsync(layout, OciClient.Digest(sif))).ShouldBe(sif);
            var picked = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!["manifests"]![0]!;
            ((string)picked["digest"]!).ShouldBe(OciClient.Digest(manifest));

            var pulled = Path.Combine(_work, $"lib-{arch}.sif");
            var library = await GoDriver.RunAgainstAsync(Url, null, ["pullverify", "idxann/lab/tool:v1", pulled, "-arch", arch]);
            library.ExitCode.ShouldBe(0, library.ToString());
            (await File.ReadAllBytesAsync(pulled)).ShouldBe(sif);
        }
    }

    [Fact]
    public async Task A_sif_pushed_through_v2_for_a_second_architecture_turns_the_tag_into_an_index_that_is_deleted_by_tag_only()
    {
        var (_, token) = await factory.CreateUserAsync("idxbob");
        var sifs = new SifFiles(Path.Combine(_work, "sif"));
        var (amdPath, armPath) = (await sifs.CreateAsync(100_000, "amd64"), await sifs.CreateAsync(120_000, "arm64"));
        (await GoDriver.RunAgainstAsync(Url, token, ["push", amdPath, "idxbob/lab/tool", "v1", "-arch", "amd64"])).ExitCode.ShouldBe(0);
        var armManifest = await OciLayout.WriteAsync(Path.Combine(_work, "layout"), armPath, "v1");
        var push = await SkopeoAsync("copy", "--dest-creds", $"idxbob:{token}", "--dest-tls-verify=false", $"oci:{_work}/layout:v1", $"docker://{Host}/idxbob/lab/tool:v1");
        push.ExitCode.ShouldBe(0, push.ToString());

        var oci = new OciClient(factory.BaseAddress, "idxbob", token);
        (await oci.LoginAsync("repository:idxbob/lab/tool:pull,push,delete")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var get = await oci.SendAsync(HttpMethod.Get, "/v2/idxbob/lab/tool/manifests/v1");
        var index = await get.Content.ReadAsByteArrayAsync();
        var amdManifest = BuiltManifest("tool", await File.ReadAllBytesAsync(amdPath));
        Encoding.UTF8.GetString(index).ShouldBe("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
            + Child(amdManifest, Amd64) + "," + Child(armManifest, Arm64) + "]}"); // the arm64 child is the manifest as skopeo pushed it

        using (var refused = await oci.SendAsync(HttpMethod.Delete, $"/v2/idxbob/lab/tool/manifests/{OciClient.Digest(index)}"))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await refused.Content.ReadAsStringAsync()).ShouldBe("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"" + OciClient.Digest(index)
                + " is the index of a tag's architectures, built from their images: delete the tag, or an architecture's manifest by its digest\",\"detail\":null}]}");
        }
        var pulled = Path.Combine(_work, "arm.sif");
        (await GoDriver.RunAgainstAsync(Url, null, ["pullverify", "idxbob/lab/tool:v1", pulled, "-arch", "arm64"])).ExitCode.ShouldBe(0);
        (await File.ReadAllBytesAsync(pulled)).ShouldBe(await File.ReadAllBytesAsync(armPath));

        (await oci.SendAsync(HttpMethod.Delete, "/v2/idxbob/lab/tool/manifests/v1")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using var gone = await oci.SendAsync(HttpMethod.Get, "/v2/idxbob/lab/tool/manifests/v1");
        gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var byDigest = await oci.SendAsync(HttpMethod.Get, $"/v2/idxbob/lab/tool/manifests/{OciClient.Digest(index)}");
        byDigest.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
