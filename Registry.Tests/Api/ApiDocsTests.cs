using System.Net;
using System.Text.Json.Nodes;

namespace Registry.Tests.Api;

/// <summary>The OpenAPI document at /api/openapi.json and its viewer at /api, served offline from the app itself.</summary>
public sealed class ApiDocsTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task Document_lists_the_library_api_with_names_tags_and_bodies()
    {
        var response = await factory.Client().GetAsync("/api/openapi.json");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        document["info"]!["title"]!.GetValue<string>().ShouldBe("Registry Library API");
        var paths = document["paths"]!.AsObject();
        paths.Select(p => p.Key).ShouldBe([
            "/version", "/assets/config/config.prod.json", "/v1/token-status", "/v1/rbac/users/current", "/v1/oci-redirect",
            "/v1/entities/{name}", "/v1/entities", "/v1/collections/{entity}/{name}", "/v1/collections",
            "/v1/containers/{entity}/{collection}/{name}", "/v1/containers", "/v1/images/{reference}", "/v1/images",
            "/v1/tags/{containerId}", "/v2/tags/{containerId}", "/v1/search",
            "/v2/imagefile/{imageId}", "/v2/imagefile/_upload/{sessionId}/{part}/{secret}", "/v2/imagefile/{imageId}/_complete",
            "/v2/imagefile/{imageId}/_multipart", "/v2/imagefile/{imageId}/_multipart_complete", "/v2/imagefile/{imageId}/_multipart_abort",
            "/v1/imagefile/{imageId}", "/v1/imagefile/{reference}", "/v1/imagefile-blob/{imageId}", "/api/container/{collection}/{name}", "/pks/add", "/pks/lookup",
            "/api/registry/identity", "/api/collections", "/api/collection/{collection}", "/api/container/search/collection/{collection}/name/{name}",
            "/api/container/search/collection/{collection}/name/{name}/tag/{tag}", "/api/container/search/name/{name}",
            "/api/container/search/name/{name}/tag/{tag}", "/api/labels/search", "/api/labels/search/{key}/key", "/api/labels/search/{value}/value",
            "/api/labels/search/{key}/key/{value}/value", "/api/container/{collection}/{spec}", "/api/upload/chunked_upload", "/upload",
        ], ignoreOrder: true);

        var getImage = paths["/v1/images/{reference}"]!["get"]!;
        getImage["operationId"]!.GetValue<string>().ShouldBe("GetImage");
        getImage["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe(["Images"]);
        getImage["summary"]!.GetValue<string>().ShouldContain("Resolve");
        getImage["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ShouldBe(["reference", "arch"], ignoreOrder: true);

        // Answers: {"data": ImageJson} on success, the error envelope otherwise.
        var data = Resolve(document, getImage["responses"]!["200"]!["content"]!["application/json"]!["schema"]!)["properties"]!["data"]!;
        Resolve(document, data)["properties"]!.AsObject().Select(p => p.Key).ShouldContain("containerName");
        var error = Resolve(document, getImage["responses"]!["default"]!["content"]!["application/json"]!["schema"]!)["properties"]!["error"]!;
        Resolve(document, error)["properties"]!.AsObject().Select(p => p.Key).ShouldBe(["code", "message"], ignoreOrder: true);

        // Bodies the endpoints read themselves still show their shape.
        var createCollection = paths["/v1/collections"]!["post"]!;
        createCollection["requestBody"]!["content"]!["application/json"]!["schema"]!["properties"]!.AsObject().Select(p => p.Key)
            .ShouldBe(["name", "entity", "description", "private"], ignoreOrder: true);
        paths["/v2/imagefile/{imageId}"]!["post"]!["operationId"]!.GetValue<string>().ShouldBe("StartUpload");

        // Tokens are bearer tokens, declared once for the whole document.
        document["components"]!["securitySchemes"]!["token"]!["scheme"]!.GetValue<string>().ShouldBe("bearer");
    }

    /// <summary>Follows a local <c>$ref</c> (#/components/schemas/X), also the one inside a nullable's oneOf, to the schema it names.</summary>
    private static JsonNode Resolve(JsonNode document, JsonNode schema)
    {
        if (schema["oneOf"] is JsonArray options) schema = options.First(o => o!["$ref"] is not null)!;
        return schema["$ref"]?.GetValue<string>() is { } reference ? document["components"]!["schemas"]![reference.Split('/')[^1]]! : schema;
    }

    [Fact]
    public async Task Api_page_serves_the_embedded_viewer_pointed_at_the_document()
    {
        using var browser = new HttpClient { BaseAddress = factory.BaseAddress }; // follows redirects like a browser
        var page = await browser.GetAsync("/api");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/api/index.html");
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldContain("<title>Registry API</title>");
        html.ShouldContain("swagger-ui-bundle.js");
        html.ShouldNotContain("://"); // every asset from this server, none from a CDN

        var config = await browser.GetStringAsync("/api/index.js");
        config.ShouldContain("/api/openapi.json");
        var bundle = await browser.GetAsync("/api/swagger-ui-bundle.js");
        bundle.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await bundle.Content.ReadAsByteArrayAsync()).Length.ShouldBeGreaterThan(100_000);
        (await browser.GetAsync("/api/swagger-ui.css")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Shub_manifests_under_api_container_keep_the_json_envelope_beside_sregistrys_detail()
    {
        var (status, body) = await new LibraryClient(factory.Client()).GetAsync("/api/container/nothing/here:latest");
        status.ShouldBe(HttpStatusCode.Unauthorized); // anonymous: missing or private alike, so sregistry-cli retries signed
        body!["error"]!["message"]!.GetValue<string>().ShouldStartWith("collection nothing not found, or private");
        body["detail"]!.GetValue<string>().ShouldBe(body["error"]!["message"]!.GetValue<string>());
    }
}
