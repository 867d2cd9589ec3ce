using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Registry.Tests.Api;

/// <summary>The Library API's shapes and flows through a real host, a real SQLite file and a temp data folder.</summary>
public class ProtocolTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task Version_reports_the_arch_aware_api()
    {
        var (status, body) = await new LibraryClient(factory.Client()).GetAsync("/version");
        status.ShouldBe(HttpStatusCode.OK);
        body!.ToJsonString().ShouldBe("""{"data":{"version":"1.0.0","apiVersion":"2.0.0-alpha.2"}}""");
    }

    [Fact]
    public async Task Discovery_publishes_every_service_without_trailing_slash()
    {
        var (_, body) = await new LibraryClient(factory.Client()).GetAsync("/assets/config/config.prod.json");
        var baseUrl = factory.Client().BaseAddress!.ToString().TrimEnd('/');
        body!.ToJsonString().ShouldBe($$$"""{"libraryAPI":{"uri":"{{{baseUrl}}}"},"keystoreAPI":{"uri":"{{{baseUrl}}}"},"tokenAPI":{"uri":"{{{baseUrl}}}"}}""");
    }

    [Fact]
    public async Task Oci_redirect_and_unknown_paths_answer_the_error_envelope()
    {
        var client = new LibraryClient(factory.Client());
        var (status, body) = await client.GetAsync("/v1/oci-redirect?namespace=a%2Fb%2Fc");
        status.ShouldBe(HttpStatusCode.NotFound);
        body!["error"]!["code"]!.GetValue<int>().ShouldBe(404);
        (status, body) = await client.GetAsync("/v1/no-such-thing");
        status.ShouldBe(HttpStatusCode.NotFound);
        body!.ToJsonString().ShouldBe("""{"error":{"code":404,"message":"GET /v1/no-such-thing is not part of this API"}}""");
    }

    [Fact]
    public async Task Pushed_image_has_exact_members_and_types()
    {
        var (user, token) = await factory.CreateUserAsync("shape-owner");
        var client = new LibraryClient(factory.Client(token));
        var file = SifBuilder.Bytes(4000);
        var imageId = await client.PushAsync("shape-owner", "tools", "demo", file, "v1", "latest");

        var (status, body) = await new LibraryClient(factory.Client()).GetAsync("/v1/images/shape-owner/tools/demo:v1?arch=amd64");
        status.ShouldBe(HttpStatusCode.OK);
        var image = body!["data"]!.AsObject();
        image["id"]!.GetValue<string>().ShouldBe(imageId);
        image["hash"]!.GetValue<string>().ShouldBe("sha256." + Convert.ToHexStringLower(SHA256.HashData(file)));
        image["size"]!.GetValue<long>().ShouldBe(4000);
        image["uploaded"]!.GetValue<bool>().ShouldBeTrue();
        image["arch"]!.GetValue<string>().ShouldBe("amd64");
        image["entityName"]!.GetValue<string>().ShouldBe("shape-owner");
        image["collectionName"]!.GetValue<string>().ShouldBe("tools");
        image["containerName"]!.GetValue<string>().ShouldBe("demo");
        image["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe(["latest", "v1"]);
        image["createdAt"]!.GetValue<string>().ShouldEndWith("Z");
        image["deletedAt"]!.GetValue<string>().ShouldBe("0001-01-01T00:00:00Z");
        image["container"]!.GetValueKind().ShouldBe(System.Text.Json.JsonValueKind.String);
        image.ContainsKey("ModelManager").ShouldBeFalse();

        var (_, tags) = await client.GetAsync($"/v2/tags/{image["container"]}");
        tags!.ToJsonString().ShouldBe("{\"data\":{\"amd64\":{\"v1\":\"" + imageId + "\",\"latest\":\"" + imageId + "\"}}}");
        var (_, v1tags) = await client.GetAsync($"/v1/tags/{image["container"]}");
        v1tags!.ToJsonString().ShouldBe($$$"""{"data":{"v1":"{{{imageId}}}","latest":"{{{imageId}}}"}}""");
    }

    [Fact]
    public async Task Push_completion_reports_quota_and_container_url()
    {
        var (_, token) = await factory.CreateUserAsync("quota-owner");
        var client = new LibraryClient(factory.Client(token));
        var file = SifBuilder.Bytes(3000);
        var (_, e) = await client.GetAsync("/v1/entities/quota-owner");
        var (_, c) = await client.PostAsync("/v1/collections", new { name = "lab", entity = (string)e!["data"]!["id"]! });
        var (_, x) = await client.PostAsync("/v1/containers", new { name = "tool", collection = (string)c!["data"]!["id"]! });
        var hash = Convert.ToHexStringLower(SHA256.HashData(file));
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + hash, container = (string)x!["data"]!["id"]! });
        var id = (string)image!["data"]!["id"]!;
        var (_, start) = await client.PostAsync($"/v2/imagefile/{id}", new { filesize = file.Length, sha256sum = hash });
        (await new HttpClient().PutAsync((string)start!["data"]!["uploadURL"]!, new ByteArrayContent(file))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (status, done) = await client.SendAsync(HttpMethod.Put, $"/v2/imagefile/{id}/_complete", "{}");
        status.ShouldBe(HttpStatusCode.OK);
        done!.ToJsonString().ShouldBe("""{"data":{"quota":{"quotaTotal":0,"quotaUsage":3000},"containerUrl":"/quota-owner/lab/tool"}}""");
    }

    [Fact]
    public async Task Search_lists_images_with_their_library_names()
    {
        var (_, token) = await factory.CreateUserAsync("searcher");
        await new LibraryClient(factory.Client(token)).PushAsync("searcher", "genomics", "samtools", SifBuilder.Bytes(2000), "1.0");
        var (status, body) = await new LibraryClient(factory.Client()).GetAsync("/v1/search?arch=amd64&value=samtoo");
        status.ShouldBe(HttpStatusCode.OK);
        var image = body!["data"]!["image"]!.AsArray().Single()!;
        $"library://{image["entityName"]}/{image["collectionName"]}/{image["containerName"]}:{string.Join(",", image["tags"]!.AsArray().Select(t => t!.GetValue<string>()))}"
            .ShouldBe("library://searcher/genomics/samtools:1.0");
        (await new LibraryClient(factory.Client()).GetAsync("/v1/search?value=ab")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Token_status_and_current_user()
    {
        var (_, token) = await factory.CreateUserAsync("whoami");
        var client = new LibraryClient(factory.Client(token));
        var (status, body) = await client.GetAsync("/v1/token-status");
        status.ShouldBe(HttpStatusCode.OK);
        body!["data"]!["username"]!.GetValue<string>().ShouldBe("whoami");
        var (_, user) = await client.GetAsync("/v1/rbac/users/current");
        user!["username"]!.GetValue<string>().ShouldBe("whoami");

        var (badStatus, bad) = await new LibraryClient(factory.Client("reg_not-a-real-token")).GetAsync("/v1/token-status");
        badStatus.ShouldBe(HttpStatusCode.NotFound);
        bad!["error"]!["message"]!.GetValue<string>().ShouldContain("invalid");
        // An empty bearer (what a logged-out CLI sends) is anonymous, not an error.
        using var empty = new HttpRequestMessage(HttpMethod.Get, "/version");
        empty.Headers.TryAddWithoutValidation("Authorization", "Bearer");
        (await factory.Client().SendAsync(empty)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
