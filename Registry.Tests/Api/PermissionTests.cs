using System.Net;
using Registry.Core.Identity.AccessTokens;

namespace Registry.Tests.Api;

/// <summary>Who may see, pull, push and delete, through the API; refusals change nothing.</summary>
public class PermissionTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task Private_collection_does_not_exist_for_outsiders()
    {
        var (owner, token) = await factory.CreateUserAsync("secretive");
        var client = new LibraryClient(factory.Client(token));
        var (_, e) = await client.GetAsync("/v1/entities/secretive");
        (await client.PostAsync("/v1/collections", new { name = "hidden", entity = (string)e!["data"]!["id"]!, @private = true })).Status.ShouldBe(HttpStatusCode.OK);
        await client.PushAsync("secretive", "hidden", "classified", SifBuilder.Bytes(2000), "latest");

        var (_, strangerToken) = await factory.CreateUserAsync("stranger");
        foreach (var outsider in new[] { new LibraryClient(factory.Client()), new LibraryClient(factory.Client(strangerToken)) })
        {
            var (status, body) = await outsider.GetAsync("/v1/collections/secretive/hidden");
            status.ShouldBe(HttpStatusCode.NotFound);
            body!.ToJsonString().ShouldBe("""{"error":{"code":404,"message":"collection secretive/hidden not found"}}""");
            (await outsider.GetAsync("/v1/images/secretive/hidden/classified:latest?arch=amd64")).Status.ShouldBe(HttpStatusCode.NotFound);
            (await outsider.Http.GetAsync("/v1/imagefile/secretive/hidden/classified:latest?arch=amd64")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            var (_, found) = await outsider.GetAsync("/v1/search?value=classif");
            found!["data"]!.ToJsonString().ShouldNotContain("classified");
            found["data"]!.ToJsonString().ShouldNotContain("hidden");
        }
        (await client.GetAsync("/v1/images/secretive/hidden/classified:latest?arch=amd64")).Status.ShouldBe(HttpStatusCode.OK);
        var readOnly = new LibraryClient(factory.Client(await factory.CreateTokenAsync(owner, TokenScope.Read)));
        (await readOnly.GetAsync("/v1/images/secretive/hidden/classified:latest?arch=amd64")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_private_image_the_owner_just_read_stays_hidden_from_the_next_callers()
    {
        // Lookups are cached per ref for every caller alike: access is decided after the cache, per caller.
        var (_, token) = await factory.CreateUserAsync("hoarder");
        var owner = new LibraryClient(factory.Client(token));
        var (_, e) = await owner.GetAsync("/v1/entities/hoarder");
        await owner.PostAsync("/v1/collections", new { name = "vault", entity = (string)e!["data"]!["id"]!, @private = true });
        await owner.PushAsync("hoarder", "vault", "gold", SifBuilder.Bytes(2000), "latest");
        const string path = "/v1/images/hoarder/vault/gold:latest?arch=amd64";

        var (status, mine) = await owner.GetAsync(path);
        status.ShouldBe(HttpStatusCode.OK);
        var (_, strangerToken) = await factory.CreateUserAsync("passerby");
        foreach (var outsider in new[] { new LibraryClient(factory.Client()), new LibraryClient(factory.Client(strangerToken)) })
        {
            var (refused, body) = await outsider.GetAsync(path);
            refused.ShouldBe(HttpStatusCode.NotFound);
            body!.ToJsonString().ShouldNotContain((string)mine!["data"]!["id"]!);
        }
        var (again, same) = await owner.GetAsync(path);
        again.ShouldBe(HttpStatusCode.OK);
        same!.ToJsonString().ShouldBe(mine!.ToJsonString());
    }

    [Fact]
    public async Task Knowing_a_private_images_hash_hands_out_neither_its_bytes_nor_its_labels_nor_that_it_exists()
    {
        var (_, token) = await factory.CreateUserAsync("labkeeper");
        var owner = new LibraryClient(factory.Client(token));
        var (_, e) = await owner.GetAsync("/v1/entities/labkeeper");
        await owner.PostAsync("/v1/collections", new { name = "unpublished", entity = (string)e!["data"]!["id"]!, @private = true });
        var secret = SifBuilder.WithObjects("amd64", labelsJson: """{"org.label-schema.description":"embargoed-result-7731"}""");
        await owner.PushAsync("labkeeper", "unpublished", "paper", secret, "latest");
        var hash = "sha256." + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(secret));

        // A stranger (a removed contributor, a CI log reader) creates an image with that hash in a container of their own.
        var (_, strangerToken) = await factory.CreateUserAsync("hashreader");
        var stranger = new LibraryClient(factory.Client(strangerToken));
        var (_, se) = await stranger.GetAsync("/v1/entities/hashreader");
        var (_, sc) = await stranger.PostAsync("/v1/collections", new { name = "loot", entity = (string)se!["data"]!["id"]! });
        var (_, sx) = await stranger.PostAsync("/v1/containers", new { name = "copy", collection = (string)sc!["data"]!["id"]! });
        var (status, image) = await stranger.PostAsync("/v1/images", new { hash, container = (string)sx!["data"]!["id"]! });
        status.ShouldBe(HttpStatusCode.OK);
        image!["data"]!["uploaded"]!.GetValue<bool>().ShouldBeFalse(); // no oracle: as if the bytes were stored nowhere
        image["data"]!["size"]!.GetValue<long>().ShouldBe(0);
        var imageId = (string)image["data"]!["id"]!;
        await stranger.PostAsync($"/v2/tags/{(string)sx["data"]!["id"]!}", new { Arch = "amd64", Tag = "t", ImageID = imageId });
        (await stranger.PullAsync($"hashreader/loot/copy:{hash}")).ShouldBeNull();
        (await stranger.PullAsync("hashreader/loot/copy:t")).ShouldBeNull();
        (await stranger.SendAsync(HttpMethod.Put, $"/v2/imagefile/{imageId}/_complete", "{}")).Status.ShouldNotBe(HttpStatusCode.OK);
        (await new LibraryClient(factory.Client()).GetAsync("/v1/search?value=embargoed")).Body!["data"]!.ToJsonString().ShouldNotContain("embargoed");

        // Whoever has the bytes uploads them: verified, stored once, and the image reads its labels from its own bytes.
        var blobsBefore = Directory.EnumerateFiles(Path.Combine(factory.DataPath, "blobs"), "*", SearchOption.AllDirectories).Count();
        await stranger.PushAsync("hashreader", "loot", "copy", secret, "t");
        Directory.EnumerateFiles(Path.Combine(factory.DataPath, "blobs"), "*", SearchOption.AllDirectories).Count().ShouldBe(blobsBefore);
        (await stranger.PullAsync("hashreader/loot/copy:t")).ShouldBe(secret);

        // The owner, who can read the image, still pushes the same bytes elsewhere without sending them again.
        var (_, ox) = await owner.PostAsync("/v1/containers", new { name = "again", collection = (string)(await owner.GetAsync("/v1/collections/labkeeper/unpublished")).Body!["data"]!["id"]! });
        var (_, reuse) = await owner.PostAsync("/v1/images", new { hash, container = (string)ox!["data"]!["id"]! });
        reuse!["data"]!["uploaded"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task Nobody_pushes_where_they_may_not()
    {
        var (owner, token) = await factory.CreateUserAsync("guarded");
        var client = new LibraryClient(factory.Client(token));
        await client.PushAsync("guarded", "tools", "app", SifBuilder.Bytes(2000), "latest");
        var (_, x) = await client.GetAsync("/v1/containers/guarded/tools/app");
        var containerId = (string)x!["data"]!["id"]!;
        var (_, c) = await client.GetAsync("/v1/collections/guarded/tools");
        var (_, e) = await client.GetAsync("/v1/entities/guarded");

        var (_, otherToken) = await factory.CreateUserAsync("pusher");
        var readToken = await factory.CreateTokenAsync(owner, TokenScope.Read);
        foreach (var (who, expected) in new[] { (otherToken, HttpStatusCode.Forbidden), (readToken, HttpStatusCode.Forbidden), ((string?)null, HttpStatusCode.Unauthorized) })
        {
            var intruder = new LibraryClient(factory.Client(who));
            var hash = "sha256." + new string('a', 64);
            (await intruder.PostAsync("/v1/images", new { hash, container = containerId })).Status.ShouldBe(expected);
            (await intruder.PostAsync("/v1/containers", new { name = "planted", collection = (string)c!["data"]!["id"]! })).Status.ShouldBe(expected);
            (await intruder.PostAsync("/v1/collections", new { name = "planted", entity = (string)e!["data"]!["id"]! })).Status.ShouldBe(expected);
            (await intruder.SendAsync(HttpMethod.Delete, "/v1/images/guarded/tools/app:latest?arch=amd64")).Status.ShouldBe(expected);
        }
        (await client.GetAsync("/v1/containers/guarded/tools/planted")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/v1/images/guarded/tools/app:latest?arch=amd64")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Delete_frees_the_blob_only_when_unused()
    {
        var (_, token) = await factory.CreateUserAsync("deleter");
        var client = new LibraryClient(factory.Client(token));
        var file = SifBuilder.Bytes(2500);
        await client.PushAsync("deleter", "c", "one", file, "latest");
        await client.PushAsync("deleter", "c", "two", file, "latest");
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
        var blob = Path.Combine(factory.DataPath, "blobs", "sha256", hex[..2], hex);

        var (status, body) = await client.SendAsync(HttpMethod.Delete, "/v1/images/deleter/c/one:latest?arch=amd64");
        status.ShouldBe(HttpStatusCode.OK);
        body!["data"]!["hash"]!.GetValue<string>().ShouldBe("sha256." + hex);
        File.Exists(blob).ShouldBeTrue();
        (await client.GetAsync("/v1/images/deleter/c/one:latest?arch=amd64")).Status.ShouldBe(HttpStatusCode.NotFound);
        // Its last image gone, the container goes too.
        (await client.GetAsync("/v1/containers/deleter/c/one")).Status.ShouldBe(HttpStatusCode.NotFound);

        await client.PushAsync("deleter", "c", "two", SifBuilder.Bytes(2600), "v2");
        (await client.SendAsync(HttpMethod.Delete, "/v1/images/deleter/c/two:latest?arch=amd64")).Status.ShouldBe(HttpStatusCode.OK);
        File.Exists(blob).ShouldBeFalse();
        // Another image is left, so the container stays with it.
        var (kept, container) = await client.GetAsync("/v1/containers/deleter/c/two");
        kept.ShouldBe(HttpStatusCode.OK);
        container!["data"]!["imageTags"]!.AsObject().Select(t => t.Key).ShouldBe(["v2"]);
    }

    [Theory]
    [InlineData("/v1/images/Alice/c/x:latest")]
    [InlineData("/v1/images/alice/c/x:Latest")]
    [InlineData("/v1/images/%D0%B0lice/c/x:latest")]
    [InlineData("/v1/images/alice/c/x:sha256.xyz")]
    [InlineData("/v1/images/a/b/c/d:latest")]
    [InlineData("/v1/images/alice/c/x:latest?arch=sparc")]
    [InlineData("/v1/collections/alice/a..b")]
    [InlineData("/v1/entities/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Malformed_refs_get_a_400_envelope(string path)
    {
        var (status, body) = await new LibraryClient(factory.Client()).GetAsync(path);
        status.ShouldBe(HttpStatusCode.BadRequest);
        body!["error"]!["code"]!.GetValue<int>().ShouldBe(400);
        body["error"]!["message"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
    }

    [Theory]
    [InlineData("/v1/collections", "{not json")]
    [InlineData("/v1/collections", "[]")]
    [InlineData("/v1/containers", "{\"name\":\"../../etc\",\"collection\":\"x\"}")]
    [InlineData("/v1/images", "{\"hash\":\"md5.abc\",\"container\":\"x\"}")]
    [InlineData("/v2/imagefile/abc", "{\"filesize\":-1}")]
    public async Task Bad_bodies_get_a_400_envelope(string path, string json)
    {
        var (_, token) = await factory.CreateUserAsync("bodies-" + Guid.NewGuid().ToString("N")[..8]);
        var (status, body) = await new LibraryClient(factory.Client(token)).SendAsync(HttpMethod.Post, path, json);
        status.ShouldBe(HttpStatusCode.BadRequest);
        body!["error"]!["code"]!.GetValue<int>().ShouldBe(400);
    }
}
