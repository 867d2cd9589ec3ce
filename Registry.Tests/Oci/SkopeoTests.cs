using System.Net;
using System.Text.Json.Nodes;
using Registry.Core.Identity.AccessTokens;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Oci;

/// <summary>
/// Debian's skopeo as the real client on 127.0.0.1 (plain HTTP, as <c>--tls-verify=false</c> allows): it pushes an OCI
/// layout shaped like apptainer's SIF artifact, pulls it back, lists tags, and is refused where the Library API would be.
/// </summary>
public sealed class SkopeoTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("registry-skopeo-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Host => factory.BaseAddress.Authority;

    private Task<ProcessResult> SkopeoAsync(params string[] args) => ProcessRunner.RunAsync("skopeo", ["--insecure-policy", .. args],
        new Dictionary<string, string?> { ["HOME"] = _work, ["REGISTRY_AUTH_FILE"] = Path.Combine(_work, "auth.json") }, timeout: TimeSpan.FromMinutes(3));

    [Fact]
    public async Task A_sif_layout_pushed_with_skopeo_pulls_back_byte_identical_with_skopeo_and_the_library_api()
    {
        var (_, token) = await factory.CreateUserAsync("skann");
        var sifPath = await new SifFiles(Path.Combine(_work, "sif")).CreateAsync(2_000_000);
        var sif = await File.ReadAllBytesAsync(sifPath);
        var manifest = await OciLayout.WriteAsync(Path.Combine(_work, "layout"), sifPath, "v1");

        var push = await SkopeoAsync("copy", "--dest-creds", $"skann:{token}", "--dest-tls-verify=false",
            $"oci:{_work}/layout:v1", $"docker://{Host}/skann/lab/tool:v1");
        push.ExitCode.ShouldBe(0, push.ToString());

        (await new LibraryClient(factory.Client(token)).PullAsync("skann/lab/tool:v1")).ShouldBe(sif);

        // Anonymous pull of a public collection: no credentials at all.
        var pull = await SkopeoAsync("copy", "--src-tls-verify=false", $"docker://{Host}/skann/lab/tool:v1", $"oci:{_work}/out:v1");
        pull.ExitCode.ShouldBe(0, pull.ToString());
        (await OciLayout.ReadBlobAsync(Path.Combine(_work, "out"), OciClient.Digest(sif))).ShouldBe(sif);
        (await OciLayout.ReadBlobAsync(Path.Combine(_work, "out"), OciClient.Digest(manifest))).ShouldBe(manifest);

        var raw = await SkopeoAsync("inspect", "--raw", "--tls-verify=false", $"docker://{Host}/skann/lab/tool:v1");
        raw.Stdout.Trim().ShouldBe(System.Text.Encoding.UTF8.GetString(manifest));
        var tags = await SkopeoAsync("list-tags", "--tls-verify=false", $"docker://{Host}/skann/lab/tool");
        tags.ExitCode.ShouldBe(0, tags.ToString());
        JsonNode.Parse(tags.Stdout)!["Tags"]!.AsArray().Select(t => (string)t!).ShouldBe(["v1"]);

        var delete = await SkopeoAsync("delete", "--creds", $"skann:{token}", "--tls-verify=false", $"docker://{Host}/skann/lab/tool@{OciClient.Digest(manifest)}");
        delete.ExitCode.ShouldBe(0, delete.ToString());
        (await new LibraryClient(factory.Client(token)).PullAsync("skann/lab/tool:v1")).ShouldBeNull();
    }

    [Fact]
    public async Task A_library_push_pulls_with_skopeo_as_a_sif_artifact()
    {
        var (_, token) = await factory.CreateUserAsync("skbob");
        var sifPath = await new SifFiles(Path.Combine(_work, "sif")).CreateAsync(500_000, "arm64");
        var sif = await File.ReadAllBytesAsync(sifPath);
        await new LibraryClient(factory.Client(token)).PushAsync("skbob", "lab", "tool", sif);
        var (_, container) = await new LibraryClient(factory.Client(token)).GetAsync("/v1/containers/skbob/lab/tool");
        var imageId = (string)container!["data"]!["images"]![0]!;
        (await new LibraryClient(factory.Client(token)).PostAsync($"/v2/tags/{(string)container["data"]!["id"]!}", new { Arch = "arm64", Tag = "latest", ImageID = imageId }))
            .Status.ShouldBe(HttpStatusCode.OK);

        var pull = await SkopeoAsync("copy", "--src-tls-verify=false", $"docker://{Host}/skbob/lab/tool:latest", $"oci:{_work}/out:latest");
        pull.ExitCode.ShouldBe(0, pull.ToString());
        (await OciLayout.ReadBlobAsync(Path.Combine(_work, "out"), OciClient.Digest(sif))).ShouldBe(sif);
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_work, "out", "index.json")))!;
        var manifest = JsonNode.Parse(await OciLayout.ReadBlobAsync(Path.Combine(_work, "out"), (string)index["manifests"]![0]!["digest"]!))!;
        manifest["layers"]![0]!["mediaType"]!.GetValue<string>().ShouldBe("application/vnd.sylabs.sif.layer.v1.sif");
    }

    [Fact]
    public async Task Skopeo_is_refused_a_push_with_a_read_token_and_an_anonymous_pull_of_a_private_collection()
    {
        var (user, token) = await factory.CreateUserAsync("skcat");
        var read = await factory.CreateTokenAsync(user, TokenScope.Read);
        var sifPath = await new SifFiles(Path.Combine(_work, "sif")).CreateAsync(100_000);
        await OciLayout.WriteAsync(Path.Combine(_work, "layout"), sifPath, "v1");
        var push = await SkopeoAsync("copy", "--dest-creds", $"skcat:{read}", "--dest-tls-verify=false", $"oci:{_work}/layout:v1", $"docker://{Host}/skcat/lab/tool:v1");
        push.ExitCode.ShouldNotBe(0);
        push.Stderr.ShouldContain("unauthorized");
        (await new LibraryClient(factory.Client(token)).GetAsync("/v1/containers/skcat/lab/tool")).Status.ShouldBe(HttpStatusCode.NotFound);

        var library = new LibraryClient(factory.Client(token));
        var (_, entity) = await library.GetAsync("/v1/entities/skcat");
        (await library.PostAsync("/v1/collections", new { name = "vault", entity = (string)entity!["data"]!["id"]!, @private = true })).Status.ShouldBe(HttpStatusCode.OK);
        var wrote = await SkopeoAsync("copy", "--dest-creds", $"skcat:{token}", "--dest-tls-verify=false", $"oci:{_work}/layout:v1", $"docker://{Host}/skcat/vault/tool:v1");
        wrote.ExitCode.ShouldBe(0, wrote.ToString());
        var anonymous = await SkopeoAsync("copy", "--src-tls-verify=false", $"docker://{Host}/skcat/vault/tool:v1", $"oci:{_work}/anon:v1");
        anonymous.ExitCode.ShouldNotBe(0);
        anonymous.Stderr.ShouldContain("reading manifest v1 in " + Host + "/skcat/vault/tool: unauthorized", Case.Sensitive, anonymous.Stderr);
        var owner = await SkopeoAsync("copy", "--src-creds", $"skcat:{read}", "--src-tls-verify=false", $"docker://{Host}/skcat/vault/tool:v1", $"oci:{_work}/own:v1");
        owner.ExitCode.ShouldBe(0, owner.ToString());
    }
}
