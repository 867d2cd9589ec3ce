using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Registry.Tests.Faults;

/// <summary>One HTTP answer with its body parsed as JSON when it is JSON.</summary>
public sealed record Answer(HttpStatusCode Status, string Text, string? ETag = null)
{
    public JsonNode? Json => Text.Length > 0 && Text[0] is '{' or '[' ? JsonNode.Parse(Text) : null;
    public override string ToString() => $"{(int)Status} {Text}";
}

/// <summary>
/// The Library API push and pull flow over plain HttpClient, step by step (docs/uploads.md, docs/library-api.md §Pull), so a test can stop,
/// stall or break a push at any point. JSON bodies go without Content-Type, like the Go client's.
/// </summary>
public sealed class FaultClient : IDisposable
{
    private readonly HttpClient _api;
    // Presigned PUTs and download targets: no token, no automatic redirects.
    private readonly HttpClient _plain = new(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromMinutes(2) };

    public FaultClient(string baseUrl, string token) =>
        _api = TestHttp.Client(new Uri(baseUrl + "/"), token, TimeSpan.FromMinutes(2), "Bearer", maxConnections: 256);

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public async Task<Answer> SendAsync(HttpMethod method, string path, string? json = null)
    {
        var (status, text) = await _api.SendJsonAsync(method, path.TrimStart('/'), json);
        return new Answer(status, text);
    }

    private async Task<JsonNode> OkDataAsync(HttpMethod method, string path, object? body = null)
    {
        var answer = await SendAsync(method, path, body is null ? null : JsonSerializer.Serialize(body));
        if (answer.Status != HttpStatusCode.OK) throw new InvalidOperationException($"{method} {path}: {answer}");
        return answer.Json!["data"]!;
    }

    /// <summary>Steps 1–6: the entity must exist (a user's own); collection and container are created when missing. Returns the container id.</summary>
    public async Task<string> EnsureContainerAsync(string entity, string collection, string container)
    {
        var c = await SendAsync(HttpMethod.Get, $"v1/collections/{entity}/{collection}");
        var collectionId = c.Status == HttpStatusCode.OK
            ? (string)c.Json!["data"]!["id"]!
            : (string)(await OkDataAsync(HttpMethod.Post, "v1/collections",
                new { name = collection, entity = (string)(await OkDataAsync(HttpMethod.Get, $"v1/entities/{entity}"))["id"]!, @private = false }))["id"]!;
        var x = await SendAsync(HttpMethod.Get, $"v1/containers/{entity}/{collection}/{container}");
        return x.Status == HttpStatusCode.OK
            ? (string)x.Json!["data"]!["id"]!
            : (string)(await OkDataAsync(HttpMethod.Post, "v1/containers", new { name = container, collection = collectionId }))["id"]!;
    }

    /// <summary>Step 8: returns the image id and whether the server already has its bytes.</summary>
    public async Task<(string Id, bool Uploaded)> CreateImageAsync(string containerId, byte[] file)
    {
        var data = await OkDataAsync(HttpMethod.Post, "v1/images", new { hash = "sha256." + Sha256Hex(file), container = containerId, description = "" });
        return ((string)data["id"]!, (bool)data["uploaded"]!);
    }

    /// <summary>§6.1 b: the presigned upload URL (or the error answer).</summary>
    public async Task<(string? Url, Answer Answer)> StartUploadAsync(string imageId, byte[] file) => await StartUploadAsync(imageId, file.LongLength, Sha256Hex(file));

    public async Task<(string? Url, Answer Answer)> StartUploadAsync(string imageId, long size, string sha256Hex)
    {
        var answer = await SendAsync(HttpMethod.Post, $"v2/imagefile/{imageId}", JsonSerializer.Serialize(new { filesize = size, md5sum = "", sha256sum = sha256Hex }));
        return (answer.Status == HttpStatusCode.OK ? (string?)answer.Json!["data"]!["uploadURL"] : null, answer);
    }

    /// <summary>§6.1 c: PUT to the presigned URL, with no token.</summary>
    public async Task<Answer> PutBytesAsync(string url, HttpContent content, CancellationToken ct = default)
    {
        using var response = await _plain.PutAsync(url, content, ct);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(ct), response.Headers.ETag?.ToString());
    }

    public Task<Answer> CompleteAsync(string imageId) => SendAsync(HttpMethod.Put, $"v2/imagefile/{imageId}/_complete", "{}");

    public async Task TagAsync(string containerId, string imageId, string tag) =>
        await OkDataAsync(HttpMethod.Post, $"v2/tags/{containerId}", new { Arch = "amd64", Tag = tag, ImageID = imageId });

    /// <summary>The whole push (single-part v2). Returns the image id.</summary>
    public async Task<string> PushAsync(string entity, string collection, string container, byte[] file, string tag = "latest")
    {
        var containerId = await EnsureContainerAsync(entity, collection, container);
        var (imageId, uploaded) = await CreateImageAsync(containerId, file);
        if (!uploaded)
        {
            var (url, start) = await StartUploadAsync(imageId, file);
            if (url is null) throw new InvalidOperationException($"start upload: {start}");
            var put = await PutBytesAsync(url, new ByteArrayContent(file));
            if (put.Status != HttpStatusCode.OK) throw new InvalidOperationException($"PUT: {put}");
            var complete = await CompleteAsync(imageId);
            if (complete.Status != HttpStatusCode.OK) throw new InvalidOperationException($"_complete: {complete}");
        }
        await TagAsync(containerId, imageId, tag);
        return imageId;
    }

    /// <summary><c>GET /v1/images/{reference}?arch=amd64</c>.</summary>
    public Task<Answer> GetImageAsync(string reference) => SendAsync(HttpMethod.Get, $"v1/images/{reference}?arch=amd64");

    /// <summary>The absolute download URL from the 303 of <c>GET /v1/imagefile/{reference}</c>, or the error answer.</summary>
    public async Task<(string? Location, Answer Answer)> DownloadUrlAsync(string reference)
    {
        using var response = await _api.GetAsync($"v1/imagefile/{reference}?arch=amd64");
        var answer = new Answer(response.StatusCode, await response.Content.ReadAsStringAsync());
        return (response.StatusCode == HttpStatusCode.SeeOther ? response.Headers.Location!.ToString() : null, answer);
    }

    /// <summary>Pull: 303 then the whole file. Throws with the server's answer when it is not there.</summary>
    public async Task<byte[]> DownloadAsync(string reference)
    {
        var (location, answer) = await DownloadUrlAsync(reference);
        if (location is null) throw new InvalidOperationException($"GET /v1/imagefile/{reference}: {answer}");
        using var response = await _plain.GetAsync(location);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {location}: {(int)response.StatusCode}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    public void Dispose()
    {
        _api.Dispose();
        _plain.Dispose();
    }
}
