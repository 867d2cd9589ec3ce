using System.Net;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>
/// Cross-repository blob mount (<c>POST …/blobs/uploads/?mount=&amp;from=</c>): 201 only from a repository the caller
/// may read and whose token covers it; every other case is an ordinary 202 session that tells nothing about the source.
/// </summary>
public sealed class OciMountTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private async Task<(OciClient Oci, string Token)> LoginAsync(string user, string scope)
    {
        var (_, token) = await factory.CreateUserAsync(user);
        var oci = new OciClient(factory.BaseAddress, user, token);
        (await oci.LoginAsync(scope)).StatusCode.ShouldBe(HttpStatusCode.OK);
        return (oci, token);
    }

    private static Task<HttpResponseMessage> MountAsync(OciClient oci, string repo, string digest, string from) =>
        oci.SendAsync(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/?mount={digest}&from={from}");

    [Fact]
    public async Task A_blob_mounts_from_a_readable_repository_and_a_manifest_in_the_target_can_use_it()
    {
        var (oci, _) = await LoginAsync("omnt", "repository:omnt/lab/src:pull,push repository:omnt/lab/dst:pull,push");
        var (pushed, manifest) = await oci.PushImageAsync("omnt/lab/src", "v1", layers: 1);
        pushed.StatusCode.ShouldBe(HttpStatusCode.Created);
        var layer = (string)System.Text.Json.Nodes.JsonNode.Parse(manifest)!["layers"]![0]!["digest"]!;
        var config = (string)System.Text.Json.Nodes.JsonNode.Parse(manifest)!["config"]!["digest"]!;

        foreach (var digest in new[] { layer, config })
        {
            using var mount = await MountAsync(oci, "omnt/lab/dst", digest, "omnt/lab/src");
            mount.StatusCode.ShouldBe(HttpStatusCode.Created, await mount.Content.ReadAsStringAsync());
            mount.Headers.Location!.ToString().ShouldBe($"/v2/omnt/lab/dst/blobs/{digest}");
            mount.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(digest);
        }
        using var head = await oci.SendAsync(HttpMethod.Head, $"/v2/omnt/lab/dst/blobs/{layer}");
        head.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await oci.PutManifestAsync("omnt/lab/dst", "v1", manifest)).StatusCode.ShouldBe(HttpStatusCode.Created);

        // A digest the source does not hold, or a malformed from: an ordinary session.
        using var unknown = await MountAsync(oci, "omnt/lab/dst", "sha256:" + new string('7', 64), "omnt/lab/src");
        unknown.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        unknown.Headers.Location!.ToString().ShouldStartWith("/v2/omnt/lab/dst/blobs/uploads/");
        using var malformed = await MountAsync(oci, "omnt/lab/dst", layer, "..%2F..%2Fetc");
        malformed.StatusCode.ShouldBe(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Mounting_from_another_users_private_repository_links_nothing_and_looks_like_a_missing_blob()
    {
        var (victim, victimToken) = await LoginAsync("omvic", "repository:omvic/vault/tool:pull,push");
        var library = new LibraryClient(factory.Client(victimToken));
        var (_, entity) = await library.GetAsync("/v1/entities/omvic");
        (await library.PostAsync("/v1/collections", new { name = "vault", entity = (string)entity!["data"]!["id"]!, @private = true })).Status.ShouldBe(HttpStatusCode.OK);
        var (secret, manifest) = await victim.PushImageAsync("omvic/vault/tool", "v1", layers: 1);
        secret.StatusCode.ShouldBe(HttpStatusCode.Created);
        var layer = (string)System.Text.Json.Nodes.JsonNode.Parse(manifest)!["layers"]![0]!["digest"]!;

        // The attacker's token names the victim's repository too: the token endpoint grants pull scopes, the request is checked.
        var (attacker, _) = await LoginAsync("omatk", "repository:omatk/lab/loot:pull,push repository:omvic/vault/tool:pull");
        using var mount = await MountAsync(attacker, "omatk/lab/loot", layer, "omvic/vault/tool");
        using var missing = await MountAsync(attacker, "omatk/lab/loot", "sha256:" + new string('5', 64), "omvic/vault/tool");
        foreach (var answer in new[] { mount, missing })
        {
            answer.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            answer.Headers.Location!.ToString().ShouldStartWith("/v2/omatk/lab/loot/blobs/uploads/");
            answer.Headers.Contains("Docker-Content-Digest").ShouldBeFalse();
            (await answer.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
        }
        using var head = await attacker.SendAsync(HttpMethod.Head, $"/v2/omatk/lab/loot/blobs/{layer}");
        head.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var put = await attacker.PutManifestAsync("omatk/lab/loot", "v1", manifest);
        put.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await OciClient.ErrorCodeAsync(put)).ShouldBe("MANIFEST_BLOB_UNKNOWN");

        // The victim's own mount into another repository works, but only with a token that covers the source.
        var scoped = new OciClient(factory.BaseAddress, "omvic", victimToken);
        await scoped.LoginAsync("repository:omvic/lab/copy:pull,push");
        using var unscoped = await MountAsync(scoped, "omvic/lab/copy", layer, "omvic/vault/tool");
        unscoped.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var covered = new OciClient(factory.BaseAddress, "omvic", victimToken);
        await covered.LoginAsync("repository:omvic/lab/copy:pull,push repository:omvic/vault/tool:pull");
        using var own = await MountAsync(covered, "omvic/lab/copy", layer, "omvic/vault/tool");
        own.StatusCode.ShouldBe(HttpStatusCode.Created);
    }
}
