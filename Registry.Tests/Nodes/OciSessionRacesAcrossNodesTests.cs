using System.Net;
using System.Security.Cryptography;
using Registry.Tests.Oci;

namespace Registry.Tests.Nodes;

/// <summary>
/// Requests racing on one <c>/v2/</c> upload session from two nodes (<see cref="ThreeNodes"/>, on PostgreSQL: the claim is a
/// <c>Leases</c> row): chunks at the same offset, round after round, and a <c>PATCH</c> racing the <c>PUT</c> that commits.
/// Whoever wins, the committed blob is exactly the bytes its digest names, and the loser gets a clear answer.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class OciSessionRacesAcrossNodesTests(ThreeNodes three)
{
    private const int Chunk = 256 * 1024, Rounds = 10;

    /// <summary>One OCI client per node, sharing one token, and the repository <c>{user}/{path}</c> they push to.</summary>
    private static async Task<(List<OciClient> Nodes, string Repo)> ClientsAsync(ThreeNodes fx, string path)
    {
        var user = await fx.UserAsync("ocirace");
        var repo = $"{user.Name}/{path}";
        var clients = Enumerable.Range(0, 3).Select(i => new OciClient(new Uri(fx.Node(i).BaseUrl), user.Name, user.Token)).ToList();
        (await clients[0].LoginAsync($"repository:{repo}:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var c in clients.Skip(1)) c.Http.DefaultRequestHeaders.Authorization = clients[0].Http.DefaultRequestHeaders.Authorization;
        return (clients, repo);
    }

    private static async Task<string> StartAsync(OciClient through, string repo)
    {
        using var start = await through.SendAsync(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/");
        start.StatusCode.ShouldBe(HttpStatusCode.Accepted, await start.Content.ReadAsStringAsync());
        return start.Headers.Location!.ToString();
    }

    private static Task<HttpResponseMessage> PatchAsync(OciClient through, string session, byte[] bytes, long from) =>
        through.SendAsync(HttpMethod.Patch, session, bytes, r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", $"{from}-{from + bytes.Length - 1}"));

    [Fact]
    public async Task Chunks_at_the_same_offset_racing_on_two_nodes_append_exactly_one_of_them_every_round()
    {
        var fx = await three.ReadyAsync();
        var (nodes, repo) = await ClientsAsync(fx, "race/chunks");
        var session = await StartAsync(nodes[0], repo);
        var kept = new List<byte>();
        for (var round = 0; round < Rounds; round++)
        {
            var (a, b) = (RandomNumberGenerator.GetBytes(Chunk), RandomNumberGenerator.GetBytes(Chunk));
            var answers = await Task.WhenAll(PatchAsync(nodes[1 + round % 2], session, a, kept.Count), PatchAsync(nodes[2 - round % 2], session, b, kept.Count));
            var statuses = answers.Select(r => r.StatusCode).ToList();
            statuses.Count(s => s == HttpStatusCode.Accepted).ShouldBe(1, $"round {round}: {string.Join(", ", statuses)}");
            statuses.Count(s => s == HttpStatusCode.RequestedRangeNotSatisfiable).ShouldBe(1, $"round {round}: {string.Join(", ", statuses)}");
            kept.AddRange(statuses[0] == HttpStatusCode.Accepted ? a : b);
            foreach (var answer in answers) answer.Dispose();
        }
        var whole = kept.ToArray();
        using (var put = await nodes[0].SendAsync(HttpMethod.Put, $"{session}?digest={OciClient.Digest(whole)}"))
            put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        (await nodes[2].Http.GetByteArrayAsync($"/v2/{repo}/blobs/{OciClient.Digest(whole)}")).ShouldBe(whole);
    }

    [Fact]
    public async Task A_patch_racing_the_commit_on_another_node_either_lands_before_it_or_is_refused_and_the_blob_is_its_digest()
    {
        var fx = await three.ReadyAsync();
        var (nodes, repo) = await ClientsAsync(fx, "race/commit");
        var outcomes = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var (first, more) = (RandomNumberGenerator.GetBytes(Chunk), RandomNumberGenerator.GetBytes(Chunk));
            var session = await StartAsync(nodes[0], repo);
            (await PatchAsync(nodes[0], session, first, 0)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
            var digest = OciClient.Digest(first);
            var patching = PatchAsync(nodes[1 + round % 2], session, more, Chunk);
            var putting = nodes[2 - round % 2].SendAsync(HttpMethod.Put, $"{session}?digest={digest}");
            using var patch = await patching;
            using var put = await putting;
            outcomes.Add($"{(int)patch.StatusCode}/{(int)put.StatusCode}");
            using var blob = await nodes[0].SendAsync(HttpMethod.Head, $"/v2/{repo}/blobs/{digest}");
            if (put.StatusCode == HttpStatusCode.Created)
            {
                // The commit won: the PATCH found the session held (416) or gone (404), and the blob is the first chunk alone.
                patch.StatusCode.ShouldBeOneOf(HttpStatusCode.RequestedRangeNotSatisfiable, HttpStatusCode.NotFound);
                (await nodes[0].Http.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}")).ShouldBe(first);
            }
            else
            {
                // The PATCH won: the PUT found the session held (409) or its bytes no longer the digest (400, session dropped).
                patch.StatusCode.ShouldBe(HttpStatusCode.Accepted, $"round {round}: {outcomes[^1]}");
                put.StatusCode.ShouldBeOneOf(HttpStatusCode.Conflict, HttpStatusCode.BadRequest);
                blob.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"round {round}: a blob was committed by a PUT that failed");
            }
            using var again = await nodes[round % 3].SendAsync(HttpMethod.Put, $"{session}?digest={digest}"); // repeated on any node
            if (put.StatusCode == HttpStatusCode.Created || put.StatusCode == HttpStatusCode.BadRequest)
                (await OciClient.ErrorCodeAsync(again)).ShouldBe("BLOB_UPLOAD_UNKNOWN");
            else
                again.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "the session holds both chunks: not the first chunk's digest");
        }
    }
}
