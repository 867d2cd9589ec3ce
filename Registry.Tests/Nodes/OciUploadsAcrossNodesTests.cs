using System.Net;
using System.Security.Cryptography;
using Registry.Core.Nodes;
using Registry.Tests.Infrastructure;
using Registry.Tests.Oci;

namespace Registry.Tests.Nodes;

/// <summary>
/// A <c>/v2/</c> blob upload session on three nodes (<see cref="ThreeNodes"/>: one PostgreSQL, one data folder): its
/// requests may land on any node, one request at a time writes it whichever node it reaches (a second one, on another
/// node, is refused while the first writes, so the bytes a node hashed are the bytes it commits), a node killed mid-PATCH
/// leaves the session to the others once its claim runs out (<see cref="ClusterLease.Lifetime"/>), and a session id is
/// nobody else's.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class OciUploadsAcrossNodesTests(ThreeNodes three)
{
    private const int Chunk = 1 << 20;

    /// <summary>One OCI client per node, sharing the token node 0 handed out (any node checks it).</summary>
    private static async Task<List<OciClient>> ClientsAsync(ThreeNodes fx, TestUser user, string repo)
    {
        var clients = Enumerable.Range(0, 3).Select(i => new OciClient(new Uri(fx.Node(i).BaseUrl), user.Name, user.Token)).ToList();
        (await clients[0].LoginAsync($"repository:{repo}:pull,push,delete")).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var c in clients.Skip(1)) c.Http.DefaultRequestHeaders.Authorization = clients[0].Http.DefaultRequestHeaders.Authorization;
        return clients;
    }

    private static Task<HttpResponseMessage> PatchAsync(OciClient through, string session, byte[] bytes, long from) =>
        through.SendAsync(HttpMethod.Patch, session, bytes, r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", $"{from}-{from + bytes.Length - 1}"));

    private static async Task<long> HeldAsync(OciClient through, string session)
    {
        using var status = await through.SendAsync(HttpMethod.Get, session);
        status.StatusCode.ShouldBe(HttpStatusCode.NoContent, await status.Content.ReadAsStringAsync());
        return long.Parse(status.Headers.GetValues("Range").Single().Split('-')[1]) + 1;
    }

    private static async Task<string> StartAsync(OciClient through, string repo)
    {
        using var start = await through.SendAsync(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/");
        start.StatusCode.ShouldBe(HttpStatusCode.Accepted, await start.Content.ReadAsStringAsync());
        return start.Headers.Location!.ToString();
    }

    [Fact]
    public async Task Chunks_sent_through_three_nodes_in_turn_commit_the_exact_bytes_and_the_session_is_gone_on_every_node_after()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("ocinodes");
        var repo = $"{user.Name}/oci/chunks";
        var nodes = await ClientsAsync(fx, user, repo);
        var blob = RandomNumberGenerator.GetBytes(3 * Chunk);
        var session = await StartAsync(nodes[0], repo);

        (await PatchAsync(nodes[1], session, blob[..Chunk], 0)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using (var again = await PatchAsync(nodes[2], session, blob[..Chunk], 0)) // the same chunk again, through another node
        {
            again.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable);
            again.Headers.GetValues("Range").Single().ShouldBe($"0-{Chunk - 1}");
        }
        (await PatchAsync(nodes[2], session, blob[Chunk..(2 * Chunk)], Chunk)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await HeldAsync(nodes[0], session)).ShouldBe(2 * Chunk);
        using (var put = await nodes[1].SendAsync(HttpMethod.Put, $"{session}?digest={OciClient.Digest(blob)}", blob[(2 * Chunk)..]))
            put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());

        for (var i = 0; i < 3; i++)
        {
            (await nodes[i].Http.GetByteArrayAsync($"/v2/{repo}/blobs/{OciClient.Digest(blob)}")).ShouldBe(blob, $"through node {i}");
            using var late = await PatchAsync(nodes[i], session, [1, 2, 3], 3 * Chunk); // a retry after the commit, anywhere
            late.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await OciClient.ErrorCodeAsync(late)).ShouldBe("BLOB_UPLOAD_UNKNOWN");
        }
    }

    [Fact]
    public async Task While_one_node_writes_a_session_the_others_refuse_to_write_commit_or_drop_it_and_it_finishes_whole_after()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("ocinodes");
        var repo = $"{user.Name}/oci/busy";
        var nodes = await ClientsAsync(fx, user, repo);
        var blob = RandomNumberGenerator.GetBytes(8 * Chunk);
        var session = await StartAsync(nodes[0], repo);
        using var stop = new CancellationTokenSource();
        var stalled = nodes[0].Http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, session) { Content = new StalledBody(blob, 4 * Chunk) }, stop.Token);
        await UntilAsync(() => Task.FromResult(StagedLength(fx, session) > 0), "node 0 wrote nothing of the stalled PATCH");

        // An attacker's other bytes at the same offset through node 1, a PUT naming the stalled bytes' digest through node 2
        // racing it, a DELETE: none gets in while node 0 writes.
        using (var other = await nodes[1].SendAsync(HttpMethod.Patch, session, RandomNumberGenerator.GetBytes(Chunk)))
        {
            other.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable);
            (await other.Content.ReadAsStringAsync()).ShouldContain("another request is writing this upload session");
        }
        using (var put = await nodes[2].SendAsync(HttpMethod.Put, $"{session}?digest={OciClient.Digest(blob[..(4 * Chunk)])}"))
            put.StatusCode.ShouldBe(HttpStatusCode.Conflict, await put.Content.ReadAsStringAsync());
        using (var drop = await nodes[2].SendAsync(HttpMethod.Delete, session)) drop.StatusCode.ShouldBe(HttpStatusCode.Conflict);

        await stop.CancelAsync(); // the client gives up mid-body: what arrived stays, and the session is free again
        try { (await stalled).IsSuccessStatusCode.ShouldBeFalse(); }
        catch (OperationCanceledException) { }
        var held = 0L;
        await UntilAsync(async () => (held = await HeldAsync(nodes[2], session)) > 0 && await FreeAsync(nodes[2], session, held), "the session stayed busy");
        (await PatchAsync(nodes[1], session, blob[(int)held..], held)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using (var done = await nodes[2].SendAsync(HttpMethod.Put, $"{session}?digest={OciClient.Digest(blob)}"))
            done.StatusCode.ShouldBe(HttpStatusCode.Created, await done.Content.ReadAsStringAsync());
        (await nodes[0].Http.GetByteArrayAsync($"/v2/{repo}/blobs/{OciClient.Digest(blob)}")).ShouldBe(blob);
    }

    [Fact]
    public async Task A_node_killed_mid_patch_leaves_the_session_to_another_node_which_finishes_it_from_the_bytes_held()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("ocinodes");
        var repo = $"{user.Name}/oci/killed";
        var nodes = await ClientsAsync(fx, user, repo);
        var blob = RandomNumberGenerator.GetBytes(8 * Chunk);
        var session = await StartAsync(nodes[1], repo);
        using var stop = new CancellationTokenSource();
        var stalled = nodes[1].Http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, session) { Content = new StalledBody(blob, 4 * Chunk) }, stop.Token);
        await UntilAsync(() => Task.FromResult(StagedLength(fx, session) > 0), "node 1 wrote nothing of the stalled PATCH");

        await fx.KillAsync(1);
        await stop.CancelAsync();
        try { (await stalled).IsSuccessStatusCode.ShouldBeFalse(); }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { } // the connection cut
        // The killed node's claim outlives it until it runs out (it was renewed at most a third of its lifetime ago):
        // meanwhile the session refuses writes, then any node takes it over and goes on from the bytes held.
        var killedAt = DateTime.UtcNow;
        using (var early = await nodes[2].SendAsync(HttpMethod.Patch, session, RandomNumberGenerator.GetBytes(Chunk)))
        {
            early.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable);
            (await early.Content.ReadAsStringAsync()).ShouldContain("another request is writing this upload session");
        }
        var held = 0L;
        await UntilAsync(async () => (held = await HeldAsync(nodes[0], session)) > 0 && await FreeAsync(nodes[0], session, held),
            "the killed node's claim never ran out", within: ClusterLease.Lifetime * 2);
        (DateTime.UtcNow - killedAt).ShouldBeLessThan(ClusterLease.Lifetime + TimeSpan.FromSeconds(5));
        held.ShouldBeInRange(1, 4 * Chunk);
        (await PatchAsync(nodes[2], session, blob[(int)held..], held)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using (var done = await nodes[0].SendAsync(HttpMethod.Put, $"{session}?digest={OciClient.Digest(blob)}"))
            done.StatusCode.ShouldBe(HttpStatusCode.Created, await done.Content.ReadAsStringAsync());
        (await nodes[2].Http.GetByteArrayAsync($"/v2/{repo}/blobs/{OciClient.Digest(blob)}")).ShouldBe(blob);
    }

    [Fact]
    public async Task A_session_id_used_by_another_user_is_unknown_on_every_node_and_the_owners_session_is_untouched()
    {
        var fx = await three.ReadyAsync();
        var owner = await fx.UserAsync("ocinodes");
        var thief = await fx.UserAsync("ocithief");
        var repo = $"{owner.Name}/oci/guarded";
        var nodes = await ClientsAsync(fx, owner, repo);
        var session = await StartAsync(nodes[0], repo);
        (await PatchAsync(nodes[0], session, [1, 2, 3], 0)).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        var theirs = $"{thief.Name}/oci/loot";
        var thieves = await ClientsAsync(fx, thief, theirs);
        var stolen = session.Replace($"/v2/{repo}/", $"/v2/{theirs}/");
        for (var i = 0; i < 3; i++)
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Patch, HttpMethod.Put, HttpMethod.Delete })
            {
                using var answer = await thieves[i].SendAsync(method, method == HttpMethod.Put ? $"{stolen}?digest={OciClient.Digest([1, 2, 3])}" : stolen,
                    method == HttpMethod.Patch ? [9, 9, 9] : null);
                answer.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"{method} through node {i}");
                (await OciClient.ErrorCodeAsync(answer)).ShouldBe("BLOB_UPLOAD_UNKNOWN");
            }
        (await HeldAsync(nodes[2], session)).ShouldBe(3);
    }

    /// <summary>Whether the session takes a write now: a zero-length chunk at its end (refused while another request writes).</summary>
    private static async Task<bool> FreeAsync(OciClient through, string session, long held)
    {
        using var empty = await through.SendAsync(HttpMethod.Patch, session, []);
        return empty.StatusCode == HttpStatusCode.Accepted && await HeldAsync(through, session) == held;
    }

    /// <summary>
    /// The length of a session's staged file in the shared folder (its id starts with the staged upload's id, base64url):
    /// a session's <c>Range</c> reads the same for 0 bytes and 1.
    /// </summary>
    internal static long StagedLength(ThreeNodes fx, string session)
    {
        var id = session.Split('/')[^1].Split('.')[0].Replace('-', '+').Replace('_', '/');
        var file = new FileInfo(Path.Combine(fx.DataPath, "tmp", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(id.PadRight(id.Length + (4 - id.Length % 4) % 4, '=')))));
        return file.Exists ? file.Length : 0;
    }

    /// <summary>Waits (bounded, 30 s unless told) for a state another process reaches on its own time.</summary>
    private static async Task UntilAsync(Func<Task<bool>> reached, string failure, TimeSpan? within = null)
    {
        for (var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30)); !await reached(); await Task.Delay(100))
            if (DateTime.UtcNow > deadline) throw new TimeoutException(failure);
    }
}
