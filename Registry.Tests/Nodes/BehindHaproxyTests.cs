using System.Net;
using System.Text.Json.Nodes;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// Two registry nodes on one data folder behind a TLS-terminating HAProxy (the README's configuration), driven through
/// https by the real Apptainer library client: a multipart push whose parts go round robin over the nodes, a concurrent
/// ranged pull, and the 303 and upload URLs pointing at the balancer, not at a node.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class BehindHaproxyTests
{
    [Fact]
    public async Task The_real_client_pushes_and_pulls_through_https_and_every_url_it_is_handed_is_the_balancers()
    {
        var data = Directory.CreateTempSubdirectory("registry-balanced-").FullName;
        var work = Directory.CreateTempSubdirectory("registry-balanced-work-").FullName;
        try
        {
            using var certificate = await SelfSignedCertificate.CreateAsync();
            var setup = new HostSetup { DataPath = data, ["ReverseProxy:KnownProxies:0"] = "127.0.0.1" };
            var build = GoDriver.GetBinaryAsync();
            await using var first = await RegistryServer.StartAsync(setup);
            await using var second = await RegistryServer.StartAsync(setup);
            await using var balancer = await HaproxyBalancer.StartAsync(certificate, [first, second]);
            await build;
            var user = await first.NewUserAsync(RegistryFixture.Unique("balanced"));
            var goEnvironment = new Dictionary<string, string?> { ["SSL_CERT_FILE"] = certificate.CertificatePem };
            Task<ProcessResult> Lib(params string[] args) =>
                GoDriver.RunWithEnvironmentAsync(goEnvironment, ["-url", balancer.BaseAddress.ToString().TrimEnd('/'), "-token", user.Token, .. args]);

            // 40 MiB in 32 MiB parts (RegistryServer's setting): two parts, one per node under round robin.
            var sif = await new SifFiles(work).CreateAsync(40L * 1024 * 1024);
            var pushed = await Lib("push", sif, $"{user.Name}/tools/big", "1.0");
            pushed.ExitCode.ShouldBe(0, pushed.ToString());
            var copy = Path.Combine(work, "pulled.sif");
            var pulled = await Lib("pullverify", $"{user.Name}/tools/big:1.0", copy);
            pulled.ExitCode.ShouldBe(0, pulled.ToString());
            pulled.Stdout.ShouldNotContain("ranged=0");
            (await SifFiles.HashAsync(copy)).ShouldBe(await SifFiles.HashAsync(sif));

            // What the client is handed points at the balancer's https address.
            using var https = certificate.Client(balancer.BaseAddress, user.Token);
            using var redirect = await https.GetAsync($"/v1/imagefile/{user.Name}/tools/big:1.0");
            redirect.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
            redirect.Headers.Location!.GetLeftPart(UriPartial.Authority).ShouldBe(balancer.BaseAddress.GetLeftPart(UriPartial.Authority));
            (await UploadUrlAsync(new LibraryClient(https), user.Name)).ShouldStartWith(balancer.BaseAddress.GetLeftPart(UriPartial.Authority) + "/");

            // Browsers get the stickiness cookie, and the sign-in page's cookies are Secure (TLS ends at the balancer).
            using var page = await https.GetAsync("/Account/Login");
            var cookies = page.Headers.GetValues("Set-Cookie").ToList();
            cookies.ShouldContain(c => c.StartsWith("REGISTRY_NODE=", StringComparison.Ordinal) && c.Contains("secure", StringComparison.OrdinalIgnoreCase));
            using var ready = await https.GetAsync("/readyz");
            ready.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<string> UploadUrlAsync(LibraryClient client, string entity)
    {
        var (_, collection) = await client.GetAsync($"/v1/collections/{entity}/tools");
        var (_, container) = await client.PostAsync("/v1/containers", new { name = "next", collection = (string)collection!["data"]!["id"]! });
        var file = SifBuilder.Bytes(4096);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + hash, container = (string)container!["data"]!["id"]!, description = "" });
        var (status, start) = await client.PostAsync($"/v2/imagefile/{(string)image!["data"]!["id"]!}", new { filesize = file.Length, sha256sum = hash, md5sum = "" });
        status.ShouldBe(HttpStatusCode.OK, start?.ToJsonString());
        return (string)start!["data"]!["uploadURL"]!;
    }
}
