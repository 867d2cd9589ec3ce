using System.Net;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Oci;

/// <summary>
/// The project's Go client in Oci/orasclient (oras-go's auth client, Debian golang-oras-oras-go-dev) doing what
/// apptainer's <c>internal/pkg/client/oras</c> does: ping and Bearer handshake with the same-origin realm, four manifest
/// resolutions, one blob GET, platform selection from an index; and its push. Against Registry on 127.0.0.1.
/// </summary>
public sealed class OrasClientTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("registry-orasclient-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private Task<(ProcessResult Result, Dictionary<string, string> Values)> OrasAsync(string? user, string? password, params string[] args)
    {
        List<string> all = ["-registry", factory.BaseAddress.Authority];
        if (user is not null) all.AddRange(["-user", user, "-password", password!]);
        return OrasClient.RunAsync([.. all, .. args]);
    }

    [Fact]
    public async Task A_public_library_image_pulls_anonymously_with_four_manifest_gets_and_one_blob_get()
    {
        var (_, token) = await factory.CreateUserAsync("orpub");
        var sif = SifBuilder.Bytes(300_000);
        await new LibraryClient(factory.Client(token)).PushAsync("orpub", "lab", "tool", sif, "v1");
        var output = Path.Combine(_work, "pulled.sif");

        var (pull, values) = await OrasAsync(null, null, "pull", "orpub/lab/tool:v1", output);
        pull.ExitCode.ShouldBe(0, pull.ToString());
        (await File.ReadAllBytesAsync(output)).ShouldBe(sif);
        values["layer"].ShouldBe(OciClient.Digest(sif));
        values["size"].ShouldBe(sif.Length.ToString());
        (values["pings"], values["tokens"], values["unauthorized"], values["manifestGets"], values["blobGets"]).ShouldBe(("4", "0", "0", "4", "1"));
        using var served = await new OciClient(factory.BaseAddress).SendAsync(HttpMethod.Head, "/v2/orpub/lab/tool/manifests/v1");
        values["manifest"].ShouldBe(served.Headers.GetValues("Docker-Content-Digest").Single());
    }

    [Fact]
    public async Task A_private_repository_takes_credentials_through_the_bearer_handshake_for_push_and_pull()
    {
        var (_, token) = await factory.CreateUserAsync("orpriv");
        var library = new LibraryClient(factory.Client(token));
        var (_, entity) = await library.GetAsync("/v1/entities/orpriv");
        (await library.PostAsync("/v1/collections", new { name = "vault", entity = (string)entity!["data"]!["id"]!, @private = true })).Status.ShouldBe(HttpStatusCode.OK);
        var sifPath = await new SifFiles(Path.Combine(_work, "sif")).CreateAsync(250_000, "amd64");

        var (push, pushed) = await OrasAsync("orpriv", token, "push", sifPath, "orpriv/vault/tool:v1");
        push.ExitCode.ShouldBe(0, push.ToString());
        (pushed["blobPatches"], pushed["manifestPuts"], pushed["tokens"]).ShouldBe(("1", "1", "1")); // the config {} is there already: its HEAD answers 200
        (await library.PullAsync("orpriv/vault/tool:v1")).ShouldBe(await File.ReadAllBytesAsync(sifPath));

        var (anonymous, _) = await OrasAsync(null, null, "pull", "orpriv/vault/tool:v1", Path.Combine(_work, "anon.sif"));
        anonymous.ExitCode.ShouldBe(1);
        anonymous.Stderr.ShouldContain("GET /v2/orpriv/vault/tool/manifests/v1: 401 Unauthorized");
        File.Exists(Path.Combine(_work, "anon.sif")).ShouldBeFalse();
        var (wrong, _) = await OrasAsync("orpriv", "not-the-token", "pull", "orpriv/vault/tool:v1", Path.Combine(_work, "wrong.sif"));
        wrong.ExitCode.ShouldBe(1);
        wrong.Stderr.ShouldContain("/v2/token");

        var output = Path.Combine(_work, "owner.sif");
        var (pull, values) = await OrasAsync("orpriv", token, "pull", "orpriv/vault/tool:v1", output);
        pull.ExitCode.ShouldBe(0, pull.ToString());
        (await File.ReadAllBytesAsync(output)).ShouldBe(await File.ReadAllBytesAsync(sifPath));
        values["manifest"].ShouldBe(pushed["manifest"]);
        // Each resolution: a ping, the manifest GET answered 401 with the challenge, a token for its scope, the GET again.
        (values["pings"], values["tokens"], values["unauthorized"], values["manifestGets"], values["blobGets"]).ShouldBe(("4", "4", "4", "4", "1"));
    }

    [Fact]
    public async Task The_client_picks_its_platform_from_the_index_of_a_tag_on_two_architectures()
    {
        var (_, token) = await factory.CreateUserAsync("orarch");
        var sifs = new SifFiles(Path.Combine(_work, "sif"));
        var url = factory.BaseAddress.ToString().TrimEnd('/');
        var pushed = new Dictionary<string, byte[]>();
        foreach (var arch in new[] { "amd64", "arm64" })
        {
            var path = await sifs.CreateAsync(arch == "amd64" ? 150_000 : 180_000, arch);
            (await GoDriver.RunAgainstAsync(url, token, ["push", path, "orarch/lab/tool", "v1", "-arch", arch])).ExitCode.ShouldBe(0);
            pushed[arch] = await File.ReadAllBytesAsync(path);
        }

        foreach (var (arch, variant, platform) in new[] { ("arm64", "v8", "linux/arm64/v8"), ("amd64", "", "linux/amd64") })
        {
            var output = Path.Combine(_work, $"{arch}.sif");
            var (pull, values) = await OrasAsync(null, null, "-arch", arch, "-variant", variant, "pull", "orarch/lab/tool:v1", output);
            pull.ExitCode.ShouldBe(0, pull.ToString());
            (await File.ReadAllBytesAsync(output)).ShouldBe(pushed[arch]);
            values["platform"].ShouldBe(platform);
            values["manifestGets"].ShouldBe("8"); // each resolution: the index, then the platform's child
        }
        var (none, _) = await OrasAsync(null, null, "-arch", "s390x", "pull", "orarch/lab/tool:v1", Path.Combine(_work, "s390x.sif"));
        none.ExitCode.ShouldBe(1);
        none.Stderr.ShouldContain("no child manifest for linux/s390x in index sha256:");
    }
}
