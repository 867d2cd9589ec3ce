using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Oci;

/// <summary>
/// One skopeo script run against Debian's docker-registry (CNCF Distribution 2.8.2) and against Registry, step by step:
/// push a SIF artifact layout, a Docker image and a multi-arch index, retag, list tags, inspect, pull back, delete by
/// digest. Each step must end the same way on both (and as expected), and print the same where the output is the
/// registry's. Credentials come from one authfile (Registry needs them; the reference runs without auth). Where the two
/// differ by design, or Distribution 2.8 deviates from the OCI distribution spec 1.1, the difference is asserted
/// explicitly below (and listed in docs/oci.md, "Tested against the reference").
/// </summary>
public sealed class SkopeoConformanceTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>, IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("registry-conformance-").FullName;
    private ReferenceRegistry _reference = null!;
    private string _authfile = "";

    public async Task InitializeAsync() => _reference = await ReferenceRegistry.StartAsync();

    public async Task DisposeAsync()
    {
        await _reference.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    private Task<ProcessResult> SkopeoAsync(params string[] args) => ProcessRunner.RunAsync("skopeo",
        ["--insecure-policy", .. args.Select(a => a == "AUTH" ? _authfile : a)],
        new Dictionary<string, string?> { ["HOME"] = _work, ["REGISTRY_AUTH_FILE"] = null }, timeout: TimeSpan.FromMinutes(3));

    /// <summary>One step of the script; <c>{r}</c> is the registry's repository prefix, <c>{out}</c> a folder of its own.</summary>
    private sealed record Step(string Name, bool Succeeds, bool SameOutput, params string[] Args);

    [Fact]
    public async Task The_same_skopeo_script_ends_the_same_way_on_the_reference_and_on_registry()
    {
        var (_, token) = await factory.CreateUserAsync("conf");
        var registry = factory.BaseAddress.Authority;
        _authfile = Path.Combine(_work, "auth.json");
        await File.WriteAllTextAsync(_authfile, new JsonObject { ["auths"] = new JsonObject
            { [registry] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"conf:{token}")) } } }.ToJsonString());

        var sifPath = await new SifFiles(Path.Combine(_work, "sif")).CreateAsync(300_000);
        var sifManifest = await OciLayout.WriteAsync(Path.Combine(_work, "sif-layout"), sifPath, "v1");
        var images = new ImageLayout(Path.Combine(_work, "images"));
        var (appDigest, appManifest) = await images.AddImageAsync("amd64", 2, 100_000);
        images.Tag("app", ImageLayout.ManifestType, appDigest, appManifest.Length);
        var (indexDigest, indexBytes) = await images.AddIndexAsync("multi", "amd64", "arm64");
        var child = (string)JsonNode.Parse(indexBytes)!["manifests"]![0]!["digest"]!;
        await images.SaveAsync();
        var sifDigest = OciClient.Digest(sifManifest);
        const string tls = "--tls-verify=false", src = "--src-tls-verify=false", dest = "--dest-tls-verify=false";

        Step[] script =
        [
            new("push SIF artifact layout", true, false, "copy", "--authfile", "AUTH", dest, $"oci:{_work}/sif-layout:v1", "docker://{r}/sif:v1"),
            new("push Docker v2s2 image", true, false, "copy", "--authfile", "AUTH", dest, "--format", "v2s2", $"oci:{images.Directory}:app", "docker://{r}/app:v1"),
            new("push multi-arch index", true, false, "copy", "--authfile", "AUTH", dest, "--all", "--preserve-digests", $"oci:{images.Directory}:multi", "docker://{r}/multi:v1"),
            new("retag by copy", true, false, "copy", "--authfile", "AUTH", src, dest, "docker://{r}/sif:v1", "docker://{r}/sif:v2"),
            new("list tags", true, true, "list-tags", "--authfile", "AUTH", tls, "docker://{r}/sif"),
            new("inspect --raw SIF", true, true, "inspect", "--authfile", "AUTH", tls, "--raw", "docker://{r}/sif:v1"),
            new("inspect --raw image", true, true, "inspect", "--authfile", "AUTH", tls, "--raw", "docker://{r}/app:v1"),
            new("inspect --raw index", true, true, "inspect", "--authfile", "AUTH", tls, "--raw", "docker://{r}/multi:v1"),
            new("inspect --raw child by digest", true, true, "inspect", "--authfile", "AUTH", tls, "--raw", $"docker://{{r}}/multi@{child}"),
            new("inspect image config", true, true, "inspect", "--authfile", "AUTH", tls, "--config", "docker://{r}/app:v1"),
            new("inspect refuses an artifact", false, false, "inspect", "--authfile", "AUTH", tls, "docker://{r}/sif:v1"),
            new("pull SIF back", true, false, "copy", "--authfile", "AUTH", src, "docker://{r}/sif:v1", "oci:{out}/sif:v1"),
            new("pull index back", true, false, "copy", "--authfile", "AUTH", src, "--all", "docker://{r}/multi:v1", "oci:{out}/multi:v1"),
            new("pull unknown tag", false, false, "copy", "--authfile", "AUTH", src, "docker://{r}/sif:nope", "oci:{out}/nope:v1"),
            new("delete SIF by digest", true, false, "delete", "--authfile", "AUTH", tls, $"docker://{{r}}/sif@{sifDigest}"),
            new("deleted manifest's tags are gone", false, false, "inspect", "--authfile", "AUTH", tls, "--raw", "docker://{r}/sif:v2"),
            new("delete image by tag (skopeo resolves it)", true, false, "delete", "--authfile", "AUTH", tls, "docker://{r}/app:v1"),
            new("delete an unknown digest", false, false, "delete", "--authfile", "AUTH", tls, $"docker://{{r}}/app@sha256:{new string('0', 64)}"),
        ];

        foreach (var step in script)
        {
            var reference = await RunAsync(step, $"{_reference.Host}/lab/tools", "reference");
            var ours = await RunAsync(step, $"{registry}/conf/tools", "registry");
            (reference.ExitCode == 0).ShouldBe(step.Succeeds, $"reference, {step.Name}:\n{reference}");
            (ours.ExitCode == 0).ShouldBe(step.Succeeds, $"registry, {step.Name}:\n{ours}");
            // Output names the repository (list-tags): compared with the prefix written as {r}.
            if (step.SameOutput)
                ours.Stdout.Replace($"{registry}/conf/tools", "{r}").ShouldBe(reference.Stdout.Replace($"{_reference.Host}/lab/tools", "{r}"), step.Name);
        }
        foreach (var side in new[] { "reference", "registry" })
        {
            (await OciLayout.ReadBlobAsync(Path.Combine(_work, side, "sif"), OciClient.Digest(await File.ReadAllBytesAsync(sifPath))))
                .ShouldBe(await File.ReadAllBytesAsync(sifPath), side);
            var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_work, side, "multi", "index.json")))!;
            ((string)index["manifests"]![0]!["digest"]!).ShouldBe(indexDigest, side);
        }

        // The one script step whose outcome differs, by design: Registry drops a container with its last image (as the
        // Library API does), so the SIF repository is gone (404 NAME_UNKNOWN); Distribution keeps an empty repository and
        // answers {"tags":null}, where the spec's `tags` is a list (a Distribution 2.8 deviation skopeo shows as []).
        var referenceTags = await SkopeoAsync("list-tags", tls, $"docker://{_reference.Host}/lab/tools/sif");
        referenceTags.ExitCode.ShouldBe(0, referenceTags.ToString());
        JsonNode.Parse(referenceTags.Stdout)!["Tags"]!.AsArray().ShouldBeEmpty();
        using var raw = await new HttpClient().GetAsync($"http://{_reference.Host}/v2/lab/tools/sif/tags/list");
        (await raw.Content.ReadAsStringAsync()).TrimEnd().ShouldBe("""{"name":"lab/tools/sif","tags":null}""");
        var ourTags = await SkopeoAsync("list-tags", "--authfile", "AUTH", tls, $"docker://{registry}/conf/tools/sif");
        ourTags.ExitCode.ShouldNotBe(0);
        ourTags.Stderr.ShouldContain("fetching tags list: invalid status code from registry 404", Case.Sensitive, ourTags.Stderr);

        await DeviationsAsync(token);
    }

    private async Task<ProcessResult> RunAsync(Step step, string repoPrefix, string side)
    {
        var output = Path.Combine(_work, side);
        Directory.CreateDirectory(output);
        return await SkopeoAsync(step.Args.Select(a => a.Replace("{r}", repoPrefix).Replace("{out}", output)).ToArray());
    }

    /// <summary>Raw requests where Distribution 2.8 and Registry answer differently on purpose.</summary>
    private async Task DeviationsAsync(string token)
    {
        var reference = new HttpClient { BaseAddress = new Uri($"http://{_reference.Host}") };
        // Distribution 2.8 serves an OCI manifest or index only to a client that accepts its type.
        foreach (var type in new[] { ImageLayout.IndexType, ImageLayout.ManifestType }) reference.DefaultRequestHeaders.Accept.ParseAdd(type);
        var ours = new OciClient(factory.BaseAddress, "conf", token);
        (await ours.LoginAsync("repository:conf/tools/multi:pull,push,delete")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var index = JsonNode.Parse(await reference.GetStringAsync("/v2/lab/tools/multi/manifests/v1"))!; // fine without Accept: OCI index
        var child = (string)index["manifests"]![0]!["digest"]!;
        var layer = (string)JsonNode.Parse(await reference.GetStringAsync($"/v2/lab/tools/multi/manifests/{child}"))!["layers"]![0]!["digest"]!;

        // 1. DELETE of a manifest by tag: spec 1.1 allows it ("tag deletion"); Distribution 2.8 takes only digests.
        using (var refused = await reference.DeleteAsync("/v2/lab/tools/multi/manifests/v1"))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await refused.Content.ReadAsStringAsync()).ShouldContain("\"code\":\"DIGEST_INVALID\"");
        }
        using (var untagged = await ours.SendAsync(HttpMethod.Delete, "/v2/conf/tools/multi/manifests/v1"))
            untagged.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using (var gone = await ours.SendAsync(HttpMethod.Get, "/v2/conf/tools/multi/manifests/v1")) gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // 2. DELETE of a blob a stored manifest names: Distribution unlinks it and keeps serving a manifest that points at
        //    nothing; Registry refuses (403 DENIED) until the manifest is deleted.
        using (var unlinked = await reference.DeleteAsync($"/v2/lab/tools/multi/blobs/{layer}")) unlinked.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await reference.GetAsync($"/v2/lab/tools/multi/manifests/{child}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reference.GetAsync($"/v2/lab/tools/multi/blobs/{layer}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using (var kept = await ours.SendAsync(HttpMethod.Delete, $"/v2/conf/tools/multi/blobs/{layer}"))
        {
            kept.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await OciClient.ErrorCodeAsync(kept)).ShouldBe("DENIED");
        }
        using (var served = await ours.SendAsync(HttpMethod.Get, $"/v2/conf/tools/multi/blobs/{layer}")) served.StatusCode.ShouldBe(HttpStatusCode.OK);

        // 3. The referrers API (OCI 1.1): Distribution 2.8 predates it (a plain-text 404, the spec's "not supported");
        //    Registry answers an index.
        using (var none = await reference.GetAsync($"/v2/lab/tools/multi/referrers/{child}"))
        {
            none.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await none.Content.ReadAsStringAsync()).ShouldBe("404 page not found\n");
        }
        using (var referrers = await ours.SendAsync(HttpMethod.Get, $"/v2/conf/tools/multi/referrers/{child}"))
            JsonNode.DeepEquals(JsonNode.Parse(await referrers.Content.ReadAsStringAsync()),
                JsonNode.Parse("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""")).ShouldBeTrue();

        // 4. A manifest naming a blob never pushed: both MANIFEST_BLOB_UNKNOWN; Distribution with 400, Registry with 404
        //    (the spec names the code, not the status).
        var missing = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = ImageLayout.ManifestType,
            ["config"] = OciImages.Descriptor("application/vnd.oci.image.config.v1+json", "{\"os\":\"linux\"}"u8.ToArray()), ["layers"] = new JsonArray(),
        }.ToJsonString());
        using var refPut = new ByteArrayContent(missing) { Headers = { ContentType = new(ImageLayout.ManifestType) } };
        using (var refMissing = await reference.PutAsync("/v2/lab/tools/multi/manifests/missing", refPut))
        {
            refMissing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await refMissing.Content.ReadAsStringAsync()).ShouldContain("\"code\":\"MANIFEST_BLOB_UNKNOWN\"");
        }
        using var ourMissing = await ours.PutManifestAsync("conf/tools/multi", "missing", missing);
        ourMissing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await OciClient.ErrorCodeAsync(ourMissing)).ShouldBe("MANIFEST_BLOB_UNKNOWN");
    }
}
