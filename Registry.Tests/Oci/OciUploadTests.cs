using System.Net;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>Chunked and monolithic uploads as the conformance suite drives them, and what an upload session tells.</summary>
public class OciUploadTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private async Task<OciClient> LoginAsync(string user)
    {
        var (_, token) = await factory.CreateUserAsync(user);
        var oci = new OciClient(factory.BaseAddress, user, token);
        (await oci.LoginAsync($"repository:{user}/lab/tool:pull,push,delete")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return oci;
    }

    private static Action<HttpRequestMessage> Range(long from, long to) =>
        r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", $"{from}-{to}");

    [Fact]
    public async Task Chunks_in_order_commit_and_a_chunk_out_of_order_is_416_with_the_current_range()
    {
        var oci = await LoginAsync("ochunk");
        var blob = System.Security.Cryptography.RandomNumberGenerator.GetBytes(30);
        using var start = await oci.SendAsync(HttpMethod.Post, "/v2/ochunk/lab/tool/blobs/uploads/");
        start.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var session = start.Headers.Location!.ToString();
        session.ShouldStartWith("/v2/ochunk/lab/tool/blobs/uploads/");

        using var first = await oci.SendAsync(HttpMethod.Patch, session, blob[..10], Range(0, 9));
        first.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        first.Headers.GetValues("Range").Single().ShouldBe("0-9");
        using var skipped = await oci.SendAsync(HttpMethod.Patch, session, blob[20..], Range(20, 29));
        skipped.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable);
        skipped.Headers.GetValues("Range").Single().ShouldBe("0-9");
        (await OciClient.ErrorCodeAsync(skipped)).ShouldBe("BLOB_UPLOAD_INVALID");
        using var again = await oci.SendAsync(HttpMethod.Patch, session, blob[..10], Range(0, 9));
        again.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable); // a chunk sent twice is out of order too

        using var status = await oci.SendAsync(HttpMethod.Get, session);
        status.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        status.Headers.GetValues("Range").Single().ShouldBe("0-9");
        using var second = await oci.SendAsync(HttpMethod.Patch, session, blob[10..20], Range(10, 19));
        second.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        // The last chunk arrives with the PUT.
        using var put = await oci.SendAsync(HttpMethod.Put, $"{session}?digest={OciClient.Digest(blob)}", blob[20..]);
        put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        put.Headers.Location!.ToString().ShouldBe($"/v2/ochunk/lab/tool/blobs/{OciClient.Digest(blob)}");

        using var head = await oci.SendAsync(HttpMethod.Head, $"/v2/ochunk/lab/tool/blobs/{OciClient.Digest(blob)}");
        head.StatusCode.ShouldBe(HttpStatusCode.OK);
        head.Content.Headers.ContentLength.ShouldBe(30);
        head.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(OciClient.Digest(blob));

        // The blob is this repository's: another one of the same user does not show it.
        using var elsewhere = await oci.SendAsync(HttpMethod.Head, $"/v2/ochunk/lab/other/blobs/{OciClient.Digest(blob)}");
        elsewhere.StatusCode.ShouldBe(HttpStatusCode.Unauthorized); // no pull scope for it in this token
        // Blob delete unlinks it.
        using var delete = await oci.SendAsync(HttpMethod.Delete, $"/v2/ochunk/lab/tool/blobs/{OciClient.Digest(blob)}");
        delete.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using var gone = await oci.SendAsync(HttpMethod.Head, $"/v2/ochunk/lab/tool/blobs/{OciClient.Digest(blob)}");
        gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Monolithic_post_commits_and_a_wrong_digest_is_refused_and_dropped()
    {
        var oci = await LoginAsync("omono");
        var blob = System.Security.Cryptography.RandomNumberGenerator.GetBytes(4096);
        using var mono = await oci.SendAsync(HttpMethod.Post, $"/v2/omono/lab/tool/blobs/uploads/?digest={OciClient.Digest(blob)}", blob);
        mono.StatusCode.ShouldBe(HttpStatusCode.Created, await mono.Content.ReadAsStringAsync());
        using var get = await oci.SendAsync(HttpMethod.Get, $"/v2/omono/lab/tool/blobs/{OciClient.Digest(blob)}");
        (await get.Content.ReadAsByteArrayAsync()).ShouldBe(blob);

        var other = System.Security.Cryptography.RandomNumberGenerator.GetBytes(100);
        using var start = await oci.SendAsync(HttpMethod.Post, "/v2/omono/lab/tool/blobs/uploads/");
        using var patch = await oci.SendAsync(HttpMethod.Patch, start.Headers.Location!.ToString(), other);
        using var wrong = await oci.SendAsync(HttpMethod.Put, $"{patch.Headers.Location}?digest={OciClient.Digest(blob[..100])}");
        wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCodeAsync(wrong)).ShouldBe("DIGEST_INVALID");
        using var head = await oci.SendAsync(HttpMethod.Head, $"/v2/omono/lab/tool/blobs/{OciClient.Digest(other)}");
        head.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // A cancelled session is gone for PATCH; a manifest naming a blob never pushed is MANIFEST_BLOB_UNKNOWN.
        using var cancel = await oci.SendAsync(HttpMethod.Post, "/v2/omono/lab/tool/blobs/uploads/");
        (await oci.SendAsync(HttpMethod.Delete, cancel.Headers.Location!.ToString())).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        using var cancelled = await oci.SendAsync(HttpMethod.Patch, cancel.Headers.Location!.ToString(), [1, 2, 3]);
        cancelled.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await OciClient.ErrorCodeAsync(cancelled)).ShouldBe("BLOB_UPLOAD_UNKNOWN");
        // A finished session is over too; the PUT that failed its digest dropped the bytes, so its session is unknown.
        using var finished = await oci.SendAsync(HttpMethod.Get, patch.Headers.Location!.ToString());
        finished.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var missing = await oci.PutManifestAsync("omono/lab/tool", "v1", OciClient.SifManifestOf(SifBuilder.Bytes(1000)));
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await OciClient.ErrorCodeAsync(missing)).ShouldBe("MANIFEST_BLOB_UNKNOWN");
    }
    [Fact]
    public async Task Concurrent_chunks_into_one_session_are_written_once_and_the_rest_are_416()
    {
        var oci = await LoginAsync("oconc");
        var blob = System.Security.Cryptography.RandomNumberGenerator.GetBytes(8 * 1024); // small: a 416 answered before a big body is read can break the pipe
        using var start = await oci.SendAsync(HttpMethod.Post, "/v2/oconc/lab/tool/blobs/uploads/");
        var session = start.Headers.Location!.ToString();
        var patches = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => oci.SendAsync(HttpMethod.Patch, session, blob, Range(0, blob.Length - 1))));
        patches.Count(p => p.StatusCode == HttpStatusCode.Accepted).ShouldBe(1);
        patches.Count(p => p.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable).ShouldBe(5);
        var puts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => oci.SendAsync(HttpMethod.Put, $"{session}?digest={OciClient.Digest(blob)}")));
        puts.ShouldContain(p => p.StatusCode == HttpStatusCode.Created);
        // The others found the session busy (409) or already committed (404 BLOB_UPLOAD_UNKNOWN: its bytes are the blob now).
        puts.ShouldAllBe(p => p.StatusCode == HttpStatusCode.Created || p.StatusCode == HttpStatusCode.Conflict || p.StatusCode == HttpStatusCode.NotFound);
        using var get = await oci.SendAsync(HttpMethod.Get, $"/v2/oconc/lab/tool/blobs/{OciClient.Digest(blob)}");
        (await get.Content.ReadAsByteArrayAsync()).ShouldBe(blob);
    }
}
