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
using static Registry.Tests.Api.ContractJson;

namespace Registry.Tests.Api;

/// <summary>
/// Whole response bodies of the Library API against docs/library-api.md (§Envelope, §Models, §Service, §Tokens).
/// </summary>
public sealed class ContractTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
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
        var current = (await client.GetAsync("/v1/rbac/users/current")).Body!;
        var secret = (string)current["oidc_user_meta"]!["secret"]!; // the CLI secret, made on this first ask (CliSecretTests)
        secret.ShouldStartWith("reg_");
        current.ToJsonString().ShouldBe(
            $$$"""{"username":"statususer","email":"","realname":"","role":"user","scope":"write","oidc_user_meta":{"secret":"{{{secret}}}"}}""");
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
