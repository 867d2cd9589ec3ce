using System.Net;
using System.Security.Cryptography;
using Registry.Core.Nodes;
using Registry.Tests.Oci;

namespace Registry.Tests.Nodes;

/// <summary>
/// A <c>/v2/</c> PATCH streaming on one node while PostgreSQL goes away (<see cref="ThreeNodes"/>' own server): its node
/// cannot renew the session's claim, so it stops writing before the claim may run out, and the bytes the client sends
/// after that are never written, so no other node taking the session over later finds a second writer in it. Once the
/// database is back and the claim has run out, another node finishes the session from the bytes held.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class OciUploadLeaseOutageTests(ThreeNodes three)
{
    private const int Chunk = 1 << 20;

    [Fact]
    public async Task A_writer_that_cannot_renew_its_claim_stops_before_it_runs_out_and_another_node_finishes_the_session()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("ocinodes");
        var repo = $"{user.Name}/oci/outage";
        var nodes = Enumerable.Range(0, 3).Select(i => new OciClient(new Uri(fx.Node(i).BaseUrl), user.Name, user.Token)).ToList();
        (await nodes[0].LoginAsync($"repository:{repo}:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var c in nodes.Skip(1)) c.Http.DefaultRequestHeaders.Authorization = nodes[0].Http.DefaultRequestHeaders.Authorization;
        var blob = RandomNumberGenerator.GetBytes(8 * Chunk);
        using var start = await nodes[0].SendAsync(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/");
        var session = start.Headers.Location!.ToString();
        var gate = new TaskCompletionSource();
        var patch = nodes[0].Http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, session) { Content = new GatedBody(blob, 4 * Chunk, gate.Task) });
        await UntilAsync(() => OciUploadsAcrossNodesTests.StagedLength(fx, session) > 0, "node 0 wrote nothing of the PATCH", TimeSpan.FromSeconds(30));

        long held;
        await fx.Postgres.StopServingAsync();
        try
        {
            var stopsWithin = ClusterLease.Lifetime * 2 / 3 + TimeSpan.FromSeconds(3);
            await Task.Delay(stopsWithin);
            fx.Node(0).Log.ShouldContain("could not renew the claim on oci-upload:");
            held = OciUploadsAcrossNodesTests.StagedLength(fx, session);
            gate.SetResult(); // the rest of the body arrives now: the writer has stopped, nothing more may land
            try
            {
                using var answer = await patch.WaitAsync(TimeSpan.FromSeconds(30));
                answer.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable, await answer.Content.ReadAsStringAsync());
                (await answer.Content.ReadAsStringAsync()).ShouldContain("hold on the upload session ran out");
            }
            catch (HttpRequestException) { } // or the server closed the connection on the unread rest of the body
            await Task.Delay(TimeSpan.FromSeconds(2));
            OciUploadsAcrossNodesTests.StagedLength(fx, session).ShouldBe(held, "bytes were written after the claim could no longer be renewed");
        }
        finally
        {
            gate.TrySetResult();
            await fx.Postgres.StartServingAsync();
        }

        held.ShouldBeInRange(1, 4 * Chunk);
        // The claim's row is still there (its release failed with the database): another node takes it over once it has run out.
        await UntilAsync(() => FreeAsync(nodes[1], session), "the session never came free", ClusterLease.Lifetime * 3);
        using (var rest = await nodes[1].SendAsync(HttpMethod.Patch, session, blob[(int)held..],
                   r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", $"{held}-{blob.Length - 1}")))
            rest.StatusCode.ShouldBe(HttpStatusCode.Accepted, await rest.Content.ReadAsStringAsync());
        using (var done = await nodes[2].SendAsync(HttpMethod.Put, $"{session}?digest={OciClient.Digest(blob)}"))
            done.StatusCode.ShouldBe(HttpStatusCode.Created, await done.Content.ReadAsStringAsync());
        (await nodes[0].Http.GetByteArrayAsync($"/v2/{repo}/blobs/{OciClient.Digest(blob)}")).ShouldBe(blob);
    }

    /// <summary>Whether the session takes a write now: a zero-length PATCH (refused while a claim on it is live); false on a 5xx meanwhile.</summary>
    private static async Task<bool> FreeAsync(OciClient through, string session)
    {
        using var empty = await through.SendAsync(HttpMethod.Patch, session, []);
        return empty.StatusCode == HttpStatusCode.Accepted;
    }

    private static async Task UntilAsync(Func<bool> reached, string failure, TimeSpan within) =>
        await UntilAsync(() => Task.FromResult(reached()), failure, within);

    private static async Task UntilAsync(Func<Task<bool>> reached, string failure, TimeSpan within)
    {
        for (var deadline = DateTime.UtcNow + within; !await reached(); await Task.Delay(200))
            if (DateTime.UtcNow > deadline) throw new TimeoutException(failure);
    }
}
