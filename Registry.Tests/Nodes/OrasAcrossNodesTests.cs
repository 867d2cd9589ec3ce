using Registry.Tests.Infrastructure;
using Registry.Tests.Oci;

namespace Registry.Tests.Nodes;

/// <summary>
/// The project's Go client (<see cref="OrasClient"/>: apptainer's <c>oras://</c> flow on oras-go's auth client) against
/// three nodes on PostgreSQL behind HAProxy (<see cref="ThreeNodes"/>), over TLS, keeping no cookie, so round robin
/// spreads its requests: a push of two architectures to one tag, then, with the node that stored the last manifest
/// killed, a pull of each through the index, byte-identical. The client refuses any request or token realm off the
/// balancer's own host:port, so every <c>Location</c> and the realm are proven to use the public host.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class OrasAcrossNodesTests(ThreeNodes three)
{
    [Fact]
    public async Task The_go_client_pushes_two_architectures_through_the_balancer_and_pulls_each_back_identical_after_a_node_is_killed()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("orasnodes");
        var repo = $"{user.Name}/oras/tool";
        var sifs = new SifFiles(Path.Combine(fx.Work, $"oras-{Guid.NewGuid():N}"));
        var mark = fx.Balancer.Requests.Count;
        var pushed = new Dictionary<string, byte[]>();
        foreach (var (arch, size) in new[] { ("amd64", 300_000), ("arm64", 350_000) })
        {
            var path = await sifs.CreateAsync(size, arch);
            var (push, values) = await OrasAsync(fx, user, "push", path, $"{repo}:v1");
            push.ExitCode.ShouldBe(0, push.ToString());
            (values["manifestPuts"], values["tokens"]).ShouldBe(("1", "1"));
            pushed[arch] = await File.ReadAllBytesAsync(path);
        }
        var pushes = fx.Balancer.Requests.Skip(mark).ToList();
        var sessions = pushes.Where(r => r.Method is "PATCH" or "PUT" && r.Path.Contains("/blobs/uploads/")).GroupBy(r => r.Path.Split('?')[0]).ToList();
        sessions.ShouldNotBeEmpty(string.Join("\n", pushes));
        sessions.Count(s => s.Select(r => r.Node).Distinct().Count() > 1).ShouldBeGreaterThan(0,
            $"every session was written and committed on one node:\n{string.Join("\n", pushes)}");

        var stored = pushes.Last(r => r.Method == "PUT" && r.Path.Contains("/manifests/")).Node;
        await fx.KillAsync(int.Parse(stored["node".Length..]) - 1);
        var pullMark = fx.Balancer.Requests.Count;
        foreach (var arch in pushed.Keys)
        {
            var output = Path.Combine(fx.Work, $"oras-{arch}-{Guid.NewGuid():N}.sif");
            var (pull, values) = await OrasAsync(fx, user, "-arch", arch, "pull", $"{repo}:v1", output);
            pull.ExitCode.ShouldBe(0, pull.ToString());
            (await File.ReadAllBytesAsync(output)).ShouldBe(pushed[arch]);
            values["platform"].ShouldStartWith($"linux/{arch}");
            // Apptainer's four resolutions, each the index then the platform's child, and one blob GET.
            (values["pings"], values["manifestGets"], values["blobGets"]).ShouldBe(("4", "8", "1"));
        }
        var served = fx.Balancer.Requests.Skip(pullMark).Where(r => r.Status < 500).Select(r => r.Node).Distinct().ToList();
        served.ShouldNotContain(stored);
        served.Count.ShouldBe(2, "the pulls went round the two nodes left");
    }

    private static Task<(ProcessResult Result, Dictionary<string, string> Values)> OrasAsync(ThreeNodes fx, TestUser user, params string[] args) =>
        OrasClient.RunAsync(["-registry", fx.Balancer.BaseAddress.Authority, "-tls", "-user", user.Name, "-password", user.Token, .. args],
            new Dictionary<string, string?> { ["SSL_CERT_FILE"] = fx.Certificate.CertificatePem });
}
