using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;
using Registry.Tests.Oci;

namespace Registry.Tests.Nodes;

/// <summary>
/// <c>/v2/</c> pushes on three nodes behind HAProxy (<see cref="ThreeNodes"/>): skopeo's multi-layer push, whose upload
/// sessions are started, written and committed on different nodes (HAProxy's log says which), pulls back identical; and
/// manifest PUTs of one tag racing on two nodes (a SIF, which makes a Library tag, against a container image, which makes
/// a <c>/v2/</c> tag) leave exactly one of them tagged, on both faces, every time.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class OciPushAcrossNodesTests(ThreeNodes three)
{
    [Fact]
    public async Task Skopeo_pushes_a_multi_layer_image_through_the_balancer_its_sessions_spread_over_nodes_and_pulls_it_back_identical()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("ocinodes");
        var layout = new ImageLayout(Path.Combine(fx.Work, $"layout-{Guid.NewGuid():N}"));
        var (digest, manifest) = await layout.AddImageAsync("amd64", 8, 200_000);
        layout.Tag("app", ImageLayout.ManifestType, digest, manifest.Length);
        await layout.SaveAsync();
        var target = $"docker://{fx.Balancer.BaseAddress.Authority}/{user.Name}/oci/app:v1";
        var mark = fx.Balancer.Requests.Count;

        var push = await SkopeoAsync(fx, "copy", "--preserve-digests", "--dest-tls-verify=false", "--dest-creds", $"{user.Name}:{user.Token}",
            $"oci:{layout.Directory}:app", target);

        push.ExitCode.ShouldBe(0, push.ToString());
        var uploads = fx.Balancer.Requests.Skip(mark).Where(r => r.Path.Contains("/blobs/uploads/")).ToList();
        uploads.Where(r => r.Method == "PUT").ShouldAllBe(r => r.Status == 201);
        var sessions = uploads.Where(r => r.Method is "PATCH" or "PUT").GroupBy(r => r.Path.Split('?')[0]).ToList();
        sessions.Count.ShouldBe(9, string.Join("\n", uploads)); // the config and eight layers
        sessions.Count(s => s.Select(r => r.Node).Distinct().Count() > 1).ShouldBeGreaterThan(0,
            $"every session was written and committed on one node:\n{string.Join("\n", uploads)}");
        var raw = await SkopeoAsync(fx, "inspect", "--raw", "--tls-verify=false", "--creds", $"{user.Name}:{user.Token}", target);
        raw.ExitCode.ShouldBe(0, raw.ToString());
        raw.Stdout.TrimEnd('\n').ShouldBe(Encoding.UTF8.GetString(manifest));
        var back = Path.Combine(fx.Work, $"back-{Guid.NewGuid():N}");
        var pull = await SkopeoAsync(fx, "copy", "--src-tls-verify=false", "--src-creds", $"{user.Name}:{user.Token}", target, $"dir:{back}");
        pull.ExitCode.ShouldBe(0, pull.ToString());
        foreach (var layer in JsonNode.Parse(manifest)!["layers"]!.AsArray())
        {
            var hex = ((string)layer!["digest"]!)["sha256:".Length..];
            (await File.ReadAllBytesAsync(Path.Combine(back, hex))).ShouldBe(await File.ReadAllBytesAsync(Path.Combine(layout.Directory, "blobs", "sha256", hex)));
        }
    }

    [Fact]
    public async Task Pushes_of_one_tag_racing_on_two_nodes_leave_exactly_one_manifest_tagged_on_both_faces()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("ocinodes");
        var repo = $"{user.Name}/oci/raced";
        var nodes = Enumerable.Range(0, 3).Select(i => new OciClient(new Uri(fx.Node(i).BaseUrl), user.Name, user.Token)).ToList();
        (await nodes[0].LoginAsync($"repository:{repo}:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var c in nodes.Skip(1)) c.Http.DefaultRequestHeaders.Authorization = nodes[0].Http.DefaultRequestHeaders.Authorization;
        var sif = SifBuilder.Bytes(40_000);
        var (sifPushed, sifManifest) = await nodes[0].PushSifAsync(repo, "seed", sif);
        sifPushed.StatusCode.ShouldBe(HttpStatusCode.Created, await sifPushed.Content.ReadAsStringAsync());
        var (imagePushed, imageManifest) = await nodes[1].PushImageAsync(repo, "seed-image");
        imagePushed.StatusCode.ShouldBe(HttpStatusCode.Created, await imagePushed.Content.ReadAsStringAsync());
        var library = new LibraryClient(TestHttp.Client(new Uri(fx.Node(2).BaseUrl), user.Token));

        for (var round = 0; round < 12; round++)
        {
            var tag = $"race{round}";
            var (first, second) = round % 2 == 0 ? (1, 2) : (2, 1); // who starts first alternates, and so does the node
            var puts = await Task.WhenAll(
                nodes[first].PutManifestAsync(repo, tag, sifManifest),
                nodes[second].PutManifestAsync(repo, tag, imageManifest));
            foreach (var put in puts) put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());

            using var served = await nodes[0].SendAsync(HttpMethod.Get, $"/v2/{repo}/manifests/{tag}");
            served.StatusCode.ShouldBe(HttpStatusCode.OK, $"round {round}: the tag is gone");
            var body = await served.Content.ReadAsByteArrayAsync();
            var sifWon = body.SequenceEqual(sifManifest);
            (sifWon || body.SequenceEqual(imageManifest)).ShouldBeTrue($"round {round}: {Encoding.UTF8.GetString(body)}");
            var (status, _) = await library.GetAsync($"/v1/images/{repo}:{tag}");
            status.ShouldBe(sifWon ? HttpStatusCode.OK : HttpStatusCode.NotFound, $"round {round}: the Library tag disagrees with /v2/");
            using var list = await nodes[2].SendAsync(HttpMethod.Get, $"/v2/{repo}/tags/list");
            var tags = JsonNode.Parse(await list.Content.ReadAsStringAsync())!["tags"]!.AsArray().Select(t => (string)t!).ToList();
            tags.Count(t => t == tag).ShouldBe(1, $"round {round}");
        }
        foreach (var manifest in new[] { sifManifest, imageManifest }) // both stay by digest, whoever won the tag
            (await nodes[1].SendAsync(HttpMethod.Get, $"/v2/{repo}/manifests/{OciClient.Digest(manifest)}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static Task<ProcessResult> SkopeoAsync(ThreeNodes fx, params string[] args) => ProcessRunner.RunAsync("skopeo", ["--insecure-policy", .. args],
        new Dictionary<string, string?> { ["HOME"] = fx.Work }, timeout: TimeSpan.FromMinutes(3));
}
