using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;

namespace Registry.Tests.Api;

/// <summary>
/// Whole response bodies of the Library API against docs/library-api.md (§Envelope, §Models, §Service, §Tokens) and the shub answer of docs/shub.md.
/// Times are checked to be RFC 3339 UTC with a zone, then replaced by <c>T</c> so the rest can be compared exactly.
/// </summary>
public sealed partial class ContractTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private const string Zero = "0001-01-01T00:00:00Z";
    private static readonly Actor Root = new("contract-root", "root", true, TokenScope.Admin);

    [GeneratedRegex("\"(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?)(Z|[+-]\\d\\d:\\d\\d)?\"")]
    private static partial Regex Timestamp();

    /// <summary>The body as JSON text with every time but the zero time replaced by "T"; fails on a time without a zone.</summary>
    private static string Normalised(JsonNode? body) => Timestamp().Replace(body!.ToJsonString(), m =>
    {
        m.Groups[2].Value.ShouldBe("Z", $"time {m.Value} must be UTC with a zone");
        return m.Value == $"\"{Zero}\"" ? m.Value : "\"T\"";
    });

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task Entity_collection_container_and_image_have_every_member_with_its_type()
    {
        var (user, token) = await factory.CreateUserAsync("shapes");
        var owner = new LibraryClient(factory.Client(token));
        var file = SifBuilder.Bytes(2048);
        var imageId = await owner.PushAsync("shapes", "lab", "tool", file, "v1");
        var (_, e) = await owner.GetAsync("/v1/entities/shapes");
        var entityId = (string)e!["data"]!["id"]!;
        var (_, hidden) = await owner.PostAsync("/v1/collections", new { name = "hush", entity = entityId, @private = true });
        var hiddenId = (string)hidden!["data"]!["id"]!;
        var (_, c) = await owner.GetAsync("/v1/collections/shapes/lab");
        var collectionId = (string)c!["data"]!["id"]!;
        var (_, x) = await owner.GetAsync("/v1/containers/shapes/lab/tool");
        var containerId = (string)x!["data"]!["id"]!;
        var anonymous = new LibraryClient(factory.Client());

        // The owner sees both collections; anyone else only the public one (a private id is not listed).
        Normalised((await owner.GetAsync("/v1/entities/shapes")).Body).ShouldBe(
            $$$"""{"data":{"id":"{{{entityId}}}","name":"shapes","description":"","collections":["{{{hiddenId}}}","{{{collectionId}}}"],"size":2048,"quota":0,"defaultPrivate":false,"customData":"","deleted":false,"createdBy":"","createdAt":"T","updatedAt":"T","deletedAt":"{{{Zero}}}","owner":"shapes"}}""");
        Normalised((await anonymous.GetAsync("/v1/entities/shapes")).Body).ShouldBe(
            $$$"""{"data":{"id":"{{{entityId}}}","name":"shapes","description":"","collections":["{{{collectionId}}}"],"size":2048,"quota":0,"defaultPrivate":false,"customData":"","deleted":false,"createdBy":"","createdAt":"T","updatedAt":"T","deletedAt":"{{{Zero}}}","owner":"shapes"}}""");

        Normalised((await anonymous.GetAsync("/v1/collections/shapes/lab")).Body).ShouldBe(
            $$$"""{"data":{"id":"{{{collectionId}}}","name":"lab","description":"","entity":"{{{entityId}}}","entityName":"shapes","containers":["{{{containerId}}}"],"size":2048,"private":false,"customData":"","deleted":false,"createdBy":"{{{user.Id}}}","createdAt":"T","updatedAt":"T","deletedAt":"{{{Zero}}}","owner":"shapes"}}""");

        Normalised((await anonymous.GetAsync("/v1/containers/shapes/lab/tool")).Body).ShouldBe(
            $$$"""{"data":{"id":"{{{containerId}}}","name":"tool","description":"","fullDescription":"","collection":"{{{collectionId}}}","collectionName":"lab","entity":"{{{entityId}}}","entityName":"shapes","images":["{{{imageId}}}"],"imageTags":{"v1":"{{{imageId}}}"},"archTags":{"amd64":{"v1":"{{{imageId}}}"}},"size":2048,"downloadCount":0,"stars":0,"private":false,"readOnly":false,"customData":"","deleted":false,"createdBy":"{{{user.Id}}}","createdAt":"T","updatedAt":"T","deletedAt":"{{{Zero}}}","owner":"shapes"}}""");

        Normalised((await anonymous.GetAsync("/v1/images/shapes/lab/tool:v1?arch=amd64")).Body).ShouldBe(
            $$$"""{"data":{"id":"{{{imageId}}}","hash":"sha256.{{{Hex(file)}}}","description":"","container":"{{{containerId}}}","size":2048,"uploaded":true,"signed":false,"arch":"amd64","fingerprints":[],"encrypted":null,"customData":"","entity":"{{{entityId}}}","entityName":"shapes","collection":"{{{collectionId}}}","collectionName":"lab","containerName":"tool","tags":["v1"],"containerDescription":"","containerStars":0,"containerDownloads":0,"deleted":false,"createdBy":"shapes","createdAt":"T","updatedAt":"T","deletedAt":"{{{Zero}}}","owner":"shapes"}}""");

        // Search without arch lists every kind; an entity there lists only the collections the caller may see.
        var (_, found) = await anonymous.GetAsync("/v1/search?value=shapes");
        found!["data"]!["entity"]!.AsArray().Single()!["collections"]!.ToJsonString().ShouldBe($"[\"{collectionId}\"]");
    }

    [Fact]
    public async Task Paths_take_escaped_colons_and_repeated_slashes()
    {
        var (_, token) = await factory.CreateUserAsync("slashes");
        var imageId = await new LibraryClient(factory.Client(token)).PushAsync("slashes", "c", "x", SifBuilder.Bytes(1000), "v1");
        var client = new LibraryClient(factory.Client());
        var root = factory.BaseAddress.ToString().TrimEnd('/'); // absolute: a relative "//v1/…" would name a host
        foreach (var path in new[] { "/v1/images/slashes/c/x%3Av1?arch=amd64", root + "//v1/images/slashes//c/x:v1?arch=amd64", root + "/v1//images/slashes/c/x:v1?arch=" })
        {
            var (status, body) = await client.GetAsync(path);
            status.ShouldBe(HttpStatusCode.OK, path);
            ((string)body!["data"]!["id"]!).ShouldBe(imageId, path);
        }
        (await client.Http.GetAsync(root + "//v1/imagefile/slashes/c/x%3Av1?arch=amd64")).StatusCode.ShouldBe(HttpStatusCode.SeeOther);
    }

    [Fact]
    public async Task Service_calls_of_remote_login_and_status_answer_exact_bodies()
    {
        var (_, token) = await factory.CreateUserAsync("statususer");
        var client = new LibraryClient(factory.Client(token));
        (await client.GetAsync("/v1/token-status")).Body!.ToJsonString().ShouldBe(
            """{"data":{"status":"valid","username":"statususer","scope":"write","admin":false,"collection":null,"expires":null}}""");
        // Not enveloped: the CLI decodes this object directly ("Logged in as: …").
        (await client.GetAsync("/v1/rbac/users/current")).Body!.ToJsonString().ShouldBe(
            """{"username":"statususer","email":"","realname":"","role":"user","scope":"write","oidc_user_meta":{"secret":""}}""");
        var (anonStatus, anon) = await new LibraryClient(factory.Client()).GetAsync("/v1/rbac/users/current");
        anonStatus.ShouldBe(HttpStatusCode.Unauthorized);
        anon!.ToJsonString().ShouldBe("""{"error":{"code":401,"message":"a token is required"}}""");
        var (noTokenStatus, noToken) = await new LibraryClient(factory.Client()).GetAsync("/v1/token-status");
        noTokenStatus.ShouldBe(HttpStatusCode.NotFound);
        noToken!.ToJsonString().ShouldBe("""{"error":{"code":404,"message":"no token given: create one at /auth/tokens"}}""");

        var (ociStatus, oci) = await client.GetAsync("/v1/oci-redirect?accessTypes=pull%2Cpush&mapped=1&namespace=a%2Fb%2Fc");
        ociStatus.ShouldBe(HttpStatusCode.NotFound);
        oci!.ToJsonString().ShouldBe("""{"error":{"code":404,"message":"this registry serves the Library API only (no OCI redirect)"}}""");
        var (methodStatus, method) = await client.SendAsync(HttpMethod.Post, "/version", "{}");
        methodStatus.ShouldBe(HttpStatusCode.MethodNotAllowed);
        method!.ToJsonString().ShouldBe("""{"error":{"code":405,"message":"POST is not allowed on /version"}}""");

        // The page `remote login` sends people to exists (a sign-in is asked for, not a 404).
        var page = await factory.Client().GetAsync("/auth/tokens");
        ((int)page.StatusCode).ShouldBeOneOf(200, 302);
    }

    [Fact]
    public async Task Shub_manifest_is_exact_and_an_ambiguous_collection_names_the_library_refs()
    {
        var (_, tokenA) = await factory.CreateUserAsync("shuba");
        var (_, tokenB) = await factory.CreateUserAsync("shubb");
        var fileA = SifBuilder.Bytes(3000);
        var idA = await new LibraryClient(factory.Client(tokenA)).PushAsync("shuba", "twin", "x", fileA, "latest");
        var clientB = new LibraryClient(factory.Client(tokenB));
        await clientB.PushAsync("shubb", "twin", "x", SifBuilder.Bytes(3000), "latest");
        var anonymous = new LibraryClient(factory.Client());

        var (status, body) = await anonymous.GetAsync("/api/container/twin/x:latest");
        status.ShouldBe(HttpStatusCode.Conflict);
        body!.ToJsonString().ShouldBe(
            """{"detail":"several entities (shuba, shubb) have a collection named twin, and shub:// names no owner; pull library://shuba/twin/x:latest or library://shubb/twin/x:latest","error":{"code":409,"message":"several entities (shuba, shubb) have a collection named twin, and shub:// names no owner; pull library://shuba/twin/x:latest or library://shubb/twin/x:latest"}}""");

        // Once shubb's collection is private, only shuba's exists for anyone else; shubb still sees both.
        var (_, twinB) = await clientB.GetAsync("/v1/collections/shubb/twin");
        var collections = factory.Services.GetRequiredService<CollectionService>();
        (await collections.SetPrivateAsync(Root, (string)twinB!["data"]!["id"]!, true)).Succeeded.ShouldBeTrue();
        (await clientB.GetAsync("/api/container/twin/x:latest")).Status.ShouldBe(HttpStatusCode.Conflict);

        (status, body) = await anonymous.GetAsync("/api/container/twin/x:latest");
        status.ShouldBe(HttpStatusCode.OK);
        var imageUrl = (string)body!["image"]!;
        imageUrl.ShouldStartWith($"{factory.BaseAddress.ToString().TrimEnd('/')}/v1/imagefile-blob/{idA}?exp=");
        body["image"] = "URL";
        body.ToJsonString().ShouldBe(
            $$$"""{"id":"{{{idA}}}","name":"x","tag":"latest","version":"sha256.{{{Hex(fileA)}}}","commit":"{{{Hex(fileA)}}}","image":"URL","size":3000,"arch":"amd64","collection":"twin","frozen":false,"signed":false,"fingerprints":[]}""");
        (await new HttpClient().GetByteArrayAsync(imageUrl)).ShouldBe(fileA);

        // A collection private to everyone but its owner answers anonymous callers as a missing one does: 401, so that
        // sregistry-cli retries with its signature; an unknown tag is a 404 envelope.
        await clientB.PushAsync("shubb", "solo", "y", SifBuilder.Bytes(1000), "latest");
        var (_, solo) = await clientB.GetAsync("/v1/collections/shubb/solo");
        (await collections.SetPrivateAsync(Root, (string)solo!["data"]!["id"]!, true)).Succeeded.ShouldBeTrue();
        (status, body) = await anonymous.GetAsync("/api/container/solo/y:latest");
        status.ShouldBe(HttpStatusCode.Unauthorized);
        const string hidden = "collection solo not found, or private: sign the request (sregistry-cli) or send a token to see private collections";
        body!.ToJsonString().ShouldBe($$$"""{"detail":"{{{hidden}}}","error":{"code":401,"message":"{{{hidden}}}"}}""");
        (await clientB.GetAsync("/api/container/solo/y:latest")).Status.ShouldBe(HttpStatusCode.OK);
        (status, body) = await clientB.GetAsync("/api/container/solo/y:nope");
        status.ShouldBe(HttpStatusCode.NotFound);
        body!["error"]!["code"]!.GetValue<int>().ShouldBe(404);
    }

    [Fact]
    public async Task Entities_are_users_and_teams_so_post_only_explains_why()
    {
        var (_, token) = await factory.CreateUserAsync("entityposter");
        var client = new LibraryClient(factory.Client(token));
        var entity = new { name = "entityposter", description = "No description", collections = (string[]?)null, size = 0, quota = 0, defaultPrivate = false, customData = "" };
        var (status, body) = await client.PostAsync("/v1/entities", entity);
        status.ShouldBe(HttpStatusCode.Conflict);
        body!.ToJsonString().ShouldBe("""{"error":{"code":409,"message":"entity entityposter already exists"}}""");
        (status, body) = await client.PostAsync("/v1/entities", entity with { name = "someoneelse" });
        status.ShouldBe(HttpStatusCode.Forbidden);
        body!["error"]!["message"]!.GetValue<string>().ShouldContain("push to library://entityposter/");
        (await new LibraryClient(factory.Client()).PostAsync("/v1/entities", entity)).Status.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Container_url_of_a_push_opens_the_container_page()
    {
        var (_, token) = await factory.CreateUserAsync("pageowner");
        var client = new LibraryClient(factory.Client(token));
        var file = SifBuilder.Bytes(1500);
        var (_, e) = await client.GetAsync("/v1/entities/pageowner");
        var (_, c) = await client.PostAsync("/v1/collections", new { name = "lab", entity = (string)e!["data"]!["id"]! });
        var (_, x) = await client.PostAsync("/v1/containers", new { name = "viewer", collection = (string)c!["data"]!["id"]! });
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + Hex(file), container = (string)x!["data"]!["id"]! });
        var imageId = (string)image!["data"]!["id"]!;
        var (_, start) = await client.PostAsync($"/v2/imagefile/{imageId}", new { filesize = file.Length, sha256sum = Hex(file) });
        (await new HttpClient().PutAsync((string)start!["data"]!["uploadURL"]!, new ByteArrayContent(file))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (_, done) = await client.SendAsync(HttpMethod.Put, $"/v2/imagefile/{imageId}/_complete", "{}");
        var containerUrl = (string)done!["data"]!["containerUrl"]!;

        var page = await factory.Client().GetAsync(containerUrl);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await page.Content.ReadAsStringAsync()).ShouldContain("<title>pageowner/lab/viewer</title>");
    }

    [Fact]
    public async Task Search_by_arch_list_or_signed_returns_images_only()
    {
        var (_, token) = await factory.CreateUserAsync("archsearch");
        var imageId = await new LibraryClient(factory.Client(token)).PushAsync("archsearch", "c", "finder", SifBuilder.Bytes(1200), "v1");
        var anonymous = new LibraryClient(factory.Client());

        var (_, both) = await anonymous.GetAsync("/v1/search?arch=amd64%2Carm64&value=finder");
        both!["data"]!["entity"]!.AsArray().ShouldBeEmpty();
        both["data"]!["container"]!.AsArray().ShouldBeEmpty();
        both["data"]!["image"]!.AsArray().Select(i => (string)i!["id"]!).ShouldBe([imageId]);
        (await anonymous.GetAsync("/v1/search?arch=arm64&value=finder")).Body!["data"]!["image"]!.AsArray().ShouldBeEmpty();
        // Nothing here is signed.
        (await anonymous.GetAsync("/v1/search?arch=amd64&signed=true&value=finder")).Body!.ToJsonString()
            .ShouldBe("""{"data":{"entity":[],"collection":[],"container":[],"image":[]}}""");
        var (status, body) = await anonymous.GetAsync("/v1/search");
        status.ShouldBe(HttpStatusCode.BadRequest);
        body!.ToJsonString().ShouldBe("""{"error":{"code":400,"message":"search value must be at least 3 characters"}}""");
    }

    [Fact]
    public async Task Tokens_are_stored_only_as_hashes()
    {
        var (user, token) = await factory.CreateUserAsync("hashedtoken");
        await using var db = factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContext();
        var stored = db.AccessTokens.Where(t => t.UserId == user.Id).Select(t => t.SecretHash).ToList().ShouldHaveSingleItem();
        stored.ShouldNotContain(token);
        stored.ShouldNotContain(token["reg_".Length..]);
        var database = await File.ReadAllBytesAsync(Path.Combine(factory.DataPath, "registry.db"));
        System.Text.Encoding.UTF8.GetString(database).ShouldNotContain(token["reg_".Length..]);
    }

    [Fact]
    public async Task One_and_two_component_refs_resolve_in_the_default_entity_and_collection()
    {
        // The test host keeps the shipped defaults: entity "default", collection "default".
        var (_, token) = await factory.CreateUserAsync("default");
        var client = new LibraryClient(factory.Client(token));
        var id = await client.PushAsync("default", "default", "alpine", SifBuilder.Bytes(1100), "3.19");
        var toolsId = await client.PushAsync("default", "tools", "alpine", SifBuilder.Bytes(1100), "latest");
        var anonymous = new LibraryClient(factory.Client());

        (await anonymous.GetAsync("/v1/images/alpine:3.19?arch=amd64")).Body!["data"]!["id"]!.GetValue<string>().ShouldBe(id);
        (await anonymous.GetAsync("/v1/images/default/alpine:3.19?arch=amd64")).Body!["data"]!["id"]!.GetValue<string>().ShouldBe(id);
        (await anonymous.GetAsync("/v1/images/tools/alpine?arch=amd64")).Body!["data"]!["id"]!.GetValue<string>().ShouldBe(toolsId);
        (await anonymous.Http.GetAsync("/v1/imagefile/alpine:3.19?arch=amd64")).StatusCode.ShouldBe(HttpStatusCode.SeeOther);
    }
}
