using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Registry.Tests.Api;

/// <summary>Speaks the Library API the way the Go client does (JSON bodies without Content-Type), for API tests.</summary>
public sealed class LibraryClient(HttpClient http)
{
    public HttpClient Http => http;

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        var (status, text) = await http.SendJsonAsync(method, path, json);
        return (status, TestHttp.Json(text));
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);
    public Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body));
    public Task<(HttpStatusCode Status, JsonNode? Body)> PutAsync(string path, object body) => SendAsync(HttpMethod.Put, path, JsonSerializer.Serialize(body));

    /// <summary>A pull of <c>/v1/imagefile/{reference}</c>, following the 303 to the signed URL; null when it is not found.</summary>
    public async Task<byte[]?> PullAsync(string reference)
    {
        var response = await http.GetAsync($"/v1/imagefile/{reference}");
        if (response.StatusCode == HttpStatusCode.SeeOther) response = await new HttpClient().GetAsync(response.Headers.Location);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>The whole push sequence of docs/library-api.md §Push with a v2 single upload; returns the image id.</summary>
    public async Task<string> PushAsync(string entity, string collection, string container, byte[] file, params string[] tags)
    {
        var (_, e) = await GetAsync($"/v1/entities/{entity}");
        var (cs, c) = await GetAsync($"/v1/collections/{entity}/{collection}");
        if (cs == HttpStatusCode.NotFound)
            (_, c) = await PostAsync("/v1/collections", new { name = collection, entity = (string)e!["data"]!["id"]!, @private = false });
        var (xs, x) = await GetAsync($"/v1/containers/{entity}/{collection}/{container}");
        if (xs == HttpStatusCode.NotFound)
            (_, x) = await PostAsync("/v1/containers", new { name = container, collection = (string)c!["data"]!["id"]! });
        var containerId = (string)x!["data"]!["id"]!;
        var hash = Convert.ToHexStringLower(SHA256.HashData(file));
        var (status, image) = await PostAsync("/v1/images", new { hash = "sha256." + hash, container = containerId, description = "" });
        status.ShouldBe(HttpStatusCode.OK, image?.ToJsonString());
        var imageId = (string)image!["data"]!["id"]!;
        if (!(bool)image["data"]!["uploaded"]!)
        {
            var (_, start) = await PostAsync($"/v2/imagefile/{imageId}", new { filesize = file.Length, sha256sum = hash, md5sum = "" });
            var put = await new HttpClient().PutAsync((string)start!["data"]!["uploadURL"]!, new ByteArrayContent(file));
            put.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await SendAsync(HttpMethod.Put, $"/v2/imagefile/{imageId}/_complete", "{}")).Status.ShouldBe(HttpStatusCode.OK);
        }
        foreach (var tag in tags)
            (await PostAsync($"/v2/tags/{containerId}", new { Arch = "amd64", Tag = tag, ImageID = imageId })).Status.ShouldBe(HttpStatusCode.OK);
        return imageId;
    }
}
