using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Data;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>
/// A hurried person's (or an attacker's) concurrent writes on <c>/v2/</c>: many manifests racing for one tag, a manifest
/// racing the delete of a blob it names, two PATCHes on one session. Whatever the interleaving, a tag names one stored,
/// complete manifest and no manifest points at nothing.
/// </summary>
public sealed class OciRaceTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private async Task<OciClient> LoginAsync(string user, string repo)
    {
        var (_, token) = await factory.CreateUserAsync(user);
        var oci = new OciClient(factory.BaseAddress, user, token);
        (await oci.LoginAsync($"repository:{repo}:pull,push,delete")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return oci;
    }

    /// <summary>An image manifest of one random config and one random layer, both pushed; answers the manifest bytes.</summary>
    private static async Task<byte[]> ImageManifestAsync(OciClient oci, string repo)
    {
        var config = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","created":"{{Guid.NewGuid()}}"}""");
        var layer = RandomNumberGenerator.GetBytes(3000);
        (await oci.PushBlobAsync(repo, config)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await oci.PushBlobAsync(repo, layer)).StatusCode.ShouldBe(HttpStatusCode.Created);
        return Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = ImageLayout.ManifestType,
            ["config"] = OciImages.Descriptor("application/vnd.oci.image.config.v1+json", config),
            ["layers"] = new JsonArray(OciImages.Descriptor("application/vnd.oci.image.layer.v1.tar", layer)),
        }.ToJsonString());
    }

    [Fact]
    public async Task Sixteen_concurrent_manifest_puts_to_one_tag_leave_it_on_one_stored_complete_manifest()
    {
        const string repo = "racer/lab/tool";
        var oci = await LoginAsync("racer", repo);
        // Eight SIF manifests (each becomes an image with a Library tag) and eight container images (an OCI tag): both faces race.
        var manifests = new List<byte[]>();
        for (var i = 0; i < 8; i++)
        {
            var sif = SifBuilder.Bytes(4000 + i);
            (await oci.PushBlobAsync(repo, "{}"u8.ToArray())).StatusCode.ShouldBe(HttpStatusCode.Created);
            (await oci.PushBlobAsync(repo, sif)).StatusCode.ShouldBe(HttpStatusCode.Created);
            manifests.Add(OciClient.SifManifestOf(sif));
            manifests.Add(await ImageManifestAsync(oci, repo));
        }

        var puts = await Task.WhenAll(manifests.Select(m => oci.PutManifestAsync(repo, "race", m)));
        foreach (var put in puts) put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());

        using var tagged = await oci.SendAsync(HttpMethod.Get, $"/v2/{repo}/manifests/race", setup: r => r.Headers.Accept.ParseAdd(ImageLayout.ManifestType));
        tagged.StatusCode.ShouldBe(HttpStatusCode.OK);
        var winner = await tagged.Content.ReadAsByteArrayAsync();
        manifests.Any(m => m.SequenceEqual(winner)).ShouldBeTrue();
        tagged.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(OciClient.Digest(winner));
        // Every blob the winner names is there and is what it says.
        var doc = JsonNode.Parse(winner)!;
        foreach (var blob in doc["layers"]!.AsArray().Append(doc["config"]))
        {
            using var got = await oci.SendAsync(HttpMethod.Get, $"/v2/{repo}/blobs/{blob!["digest"]}");
            got.StatusCode.ShouldBe(HttpStatusCode.OK);
            OciClient.Digest(await got.Content.ReadAsByteArrayAsync()).ShouldBe((string)blob["digest"]!);
        }
        // Every loser is stored too, by digest; the tag is one row on one face.
        foreach (var m in manifests)
            using (var byDigest = await oci.SendAsync(HttpMethod.Get, $"/v2/{repo}/manifests/{OciClient.Digest(m)}"))
                byDigest.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var list = await oci.SendAsync(HttpMethod.Get, $"/v2/{repo}/tags/list");
        JsonNode.Parse(await list.Content.ReadAsStringAsync())!["tags"]!.AsArray().Select(t => (string)t!).ShouldBe(["race"]);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        var container = await db.Containers.SingleAsync(c => c.Name == "tool" && c.Collection!.Entity!.Name == "racer");
        ((await db.Tags.CountAsync(t => t.ContainerId == container.Id && t.Name == "race"))
            + (await db.OciTags.CountAsync(t => t.ContainerId == container.Id && t.Name == "race"))).ShouldBe(1);
    }

    [Fact]
    public async Task A_manifest_put_racing_the_delete_of_its_blob_fails_or_keeps_the_blob()
    {
        const string repo = "raced/lab/tool";
        var oci = await LoginAsync("raced", repo);
        var (failed, kept) = (0, 0);
        for (var round = 0; round < 24; round++)
        {
            var manifest = await ImageManifestAsync(oci, repo);
            var layer = (string)JsonNode.Parse(manifest)!["layers"]![0]!["digest"]!;
            var racing = await Task.WhenAll(oci.PutManifestAsync(repo, $"r{round}", manifest), oci.SendAsync(HttpMethod.Delete, $"/v2/{repo}/blobs/{layer}"));
            using var put = racing[0];
            using var delete = racing[1];
            using var blob = await oci.SendAsync(HttpMethod.Head, $"/v2/{repo}/blobs/{layer}");
            using var stored = await oci.SendAsync(HttpMethod.Get, $"/v2/{repo}/manifests/{OciClient.Digest(manifest)}");
            if (put.StatusCode == HttpStatusCode.Created)
            {
                blob.StatusCode.ShouldBe(HttpStatusCode.OK, $"round {round}: the manifest was stored, so its blob must stay");
                stored.StatusCode.ShouldBe(HttpStatusCode.OK);
                delete.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
                (await OciClient.ErrorCodeAsync(delete)).ShouldBe("DENIED");
                kept++;
            }
            else
            {
                put.StatusCode.ShouldBe(HttpStatusCode.NotFound, await put.Content.ReadAsStringAsync());
                (await OciClient.ErrorCodeAsync(put)).ShouldBe("MANIFEST_BLOB_UNKNOWN");
                stored.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"round {round}: a refused manifest is not kept");
                failed++;
            }
        }
        (failed + kept).ShouldBe(24);
    }

    [Fact]
    public async Task Two_patches_racing_on_one_session_leave_one_body_whole_and_refuse_the_other()
    {
        const string repo = "patcher/lab/tool";
        var oci = await LoginAsync("patcher", repo);
        using var start = await oci.SendAsync(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/");
        var session = start.Headers.Location!.ToString();
        var first = RandomNumberGenerator.GetBytes(4 << 20);
        var second = RandomNumberGenerator.GetBytes(1 << 20);

        // The first body trickles in; the second arrives while the first is being written.
        var slow = oci.SendAsync(HttpMethod.Patch, session, setup: r => r.Content = new TrickleContent(first, 16, TimeSpan.FromMilliseconds(40)));
        await Task.Delay(200);
        using var fast = await oci.SendAsync(HttpMethod.Patch, session, second);
        fast.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable);
        (await fast.Content.ReadAsStringAsync()).ShouldContain("another request is writing this upload session");
        using var done = await slow;
        done.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        done.Headers.GetValues("Range").Single().ShouldBe($"0-{first.Length - 1}");

        using var put = await oci.SendAsync(HttpMethod.Put, $"{session}?digest={OciClient.Digest(first)}");
        put.StatusCode.ShouldBe(HttpStatusCode.Created);
        using var blob = await oci.SendAsync(HttpMethod.Get, $"/v2/{repo}/blobs/{OciClient.Digest(first)}");
        (await blob.Content.ReadAsByteArrayAsync()).ShouldBe(first);
    }

    [Fact]
    public async Task An_oversized_manifest_sent_chunked_without_a_length_is_refused_with_the_oci_error_having_read_little()
    {
        const string repo = "bigger/lab/tool";
        var oci = await LoginAsync("bigger", repo);
        var (response, sent) = await ChunkedFlood.PutAsync(factory.BaseAddress, $"/v2/{repo}/manifests/big",
            oci.Http.DefaultRequestHeaders.Authorization!.ToString(), ImageLayout.ManifestType, maxBytes: 1L << 30);
        response.ShouldStartWith("HTTP/1.1 413 ");
        response.ShouldContain("""{"errors":[{"code":"MANIFEST_INVALID","message":"a manifest is at most 1048576 bytes here","detail":null}]}""", Case.Sensitive, response);
        // The server stopped reading at its limit (plus what the sockets buffer): it never took, let alone held, the gigabyte.
        sent.ShouldBeLessThan(64L << 20);
        using var tags = await oci.SendAsync(HttpMethod.Get, $"/v2/{repo}/tags/list");
        tags.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    /// <summary>A body sent in <paramref name="parts"/> pieces with a pause before each: a slow client.</summary>
    private sealed class TrickleContent(byte[] bytes, int parts, TimeSpan pause) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var size = bytes.Length / parts;
            for (var i = 0; i < parts; i++)
            {
                await Task.Delay(pause);
                await stream.WriteAsync(bytes.AsMemory(i * size, i == parts - 1 ? bytes.Length - i * size : size));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
