using System.Net;
using System.Text.Json.Nodes;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Oci;

/// <summary>
/// Ordinary container images through skopeo, with Debian's docker-registry (CNCF Distribution) as the reference: a
/// multi-layer Docker v2 schema 2 image and a multi-arch OCI index go reference → Registry → reference with
/// <c>--all --preserve-digests</c>, every manifest byte-identical on all three, and none becomes a Library image.
/// </summary>
public sealed class SkopeoImageTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>, IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("registry-skopeo-images-").FullName;
    private ReferenceRegistry _reference = null!;

    public async Task InitializeAsync() => _reference = await ReferenceRegistry.StartAsync();

    public async Task DisposeAsync()
    {
        await _reference.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    private string Host => factory.BaseAddress.Authority;

    private Task<ProcessResult> SkopeoAsync(params string[] args) => ProcessRunner.RunAsync("skopeo", ["--insecure-policy", .. args],
        new Dictionary<string, string?> { ["HOME"] = _work, ["REGISTRY_AUTH_FILE"] = Path.Combine(_work, "auth.json") }, timeout: TimeSpan.FromMinutes(3));

    private async Task CopyAsync(string from, string to, params string[] extra)
    {
        var copy = await SkopeoAsync(["copy", "--all", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false", .. extra, from, to]);
        copy.ExitCode.ShouldBe(0, $"{from} -> {to}\n{copy}");
    }

    private async Task<string> RawAsync(string image, params string[] extra)
    {
        var raw = await SkopeoAsync(["inspect", "--raw", "--tls-verify=false", .. extra, image]);
        raw.ExitCode.ShouldBe(0, raw.ToString());
        return raw.Stdout.TrimEnd('\n');
    }

    [Fact]
    public async Task A_docker_image_and_a_multi_arch_index_copy_reference_to_registry_and_back_with_identical_digests()
    {
        var (_, token) = await factory.CreateUserAsync("skimg");
        var layout = new ImageLayout(Path.Combine(_work, "layout"));
        var (appDigest, appManifest) = await layout.AddImageAsync("amd64", 3, 300_000);
        layout.Tag("app", ImageLayout.ManifestType, appDigest, appManifest.Length);
        var (indexDigest, _) = await layout.AddIndexAsync("multi", "amd64", "arm64");
        await layout.SaveAsync();

        // Into the reference: the image as Docker v2 schema 2 (skopeo converts), the index as OCI.
        var seed = await SkopeoAsync("copy", "--format", "v2s2", "--dest-tls-verify=false", $"oci:{layout.Directory}:app", $"docker://{_reference.Host}/lab/tools/app:v1");
        seed.ExitCode.ShouldBe(0, seed.ToString());
        await CopyAsync($"oci:{layout.Directory}:multi", $"docker://{_reference.Host}/lab/tools/multi:v1");

        var creds = new[] { "--dest-creds", $"skimg:{token}" };
        foreach (var name in new[] { "app", "multi" })
        {
            await CopyAsync($"docker://{_reference.Host}/lab/tools/{name}:v1", $"docker://{Host}/skimg/tools/{name}:v1", creds);
            await CopyAsync($"docker://{Host}/skimg/tools/{name}:v1", $"docker://{_reference.Host}/back/tools/{name}:v1");
            var reference = await RawAsync($"docker://{_reference.Host}/lab/tools/{name}:v1");
            (await RawAsync($"docker://{Host}/skimg/tools/{name}:v1")).ShouldBe(reference);
            (await RawAsync($"docker://{_reference.Host}/back/tools/{name}:v1")).ShouldBe(reference);
        }
        var app = JsonNode.Parse(await RawAsync($"docker://{Host}/skimg/tools/app:v1"))!;
        ((string)app["mediaType"]!).ShouldBe("application/vnd.docker.distribution.manifest.v2+json");
        app["layers"]!.AsArray().Count.ShouldBe(3);

        // Each child of the index, by digest, byte-identical on both registries; the index keeps its digest.
        var index = JsonNode.Parse(await RawAsync($"docker://{Host}/skimg/tools/multi:v1"))!;
        OciClient.Digest(System.Text.Encoding.UTF8.GetBytes(await RawAsync($"docker://{Host}/skimg/tools/multi:v1"))).ShouldBe(indexDigest);
        foreach (var child in index["manifests"]!.AsArray())
            (await RawAsync($"docker://{Host}/skimg/tools/multi@{child!["digest"]}"))
                .ShouldBe(await RawAsync($"docker://{_reference.Host}/back/tools/multi@{child["digest"]}"));

        // Pulled into a layout, every blob is there and hashes to its name (skopeo checks it while copying).
        await CopyAsync($"docker://{Host}/skimg/tools/multi:v1", $"oci:{_work}/out:multi");
        foreach (var child in index["manifests"]!.AsArray())
            File.Exists(Path.Combine(_work, "out", "blobs", "sha256", ((string)child!["digest"]!)[7..])).ShouldBeTrue();

        // Not SIF: no Library image; the tags are on /v2/ and skopeo lists them.
        var library = new LibraryClient(factory.Client(token));
        var (status, container) = await library.GetAsync("/v1/containers/skimg/tools/app");
        status.ShouldBe(HttpStatusCode.OK);
        container!["data"]!["images"]!.AsArray().ShouldBeEmpty();
        var tags = await SkopeoAsync("list-tags", "--tls-verify=false", $"docker://{Host}/skimg/tools/multi");
        JsonNode.Parse(tags.Stdout)!["Tags"]!.AsArray().Select(t => (string)t!).ShouldBe(["v1"]);

        // Delete by digest: the index goes, its tag with it; the children stay by digest.
        var delete = await SkopeoAsync("delete", "--creds", $"skimg:{token}", "--tls-verify=false", $"docker://{Host}/skimg/tools/multi@{indexDigest}");
        delete.ExitCode.ShouldBe(0, delete.ToString());
        (await SkopeoAsync("inspect", "--raw", "--tls-verify=false", $"docker://{Host}/skimg/tools/multi:v1")).ExitCode.ShouldNotBe(0);
        await RawAsync($"docker://{Host}/skimg/tools/multi@{index["manifests"]![0]!["digest"]}");
    }
}
