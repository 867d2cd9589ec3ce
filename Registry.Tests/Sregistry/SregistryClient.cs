using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Registry.Core.Sregistry;

namespace Registry.Tests.Sregistry;

/// <summary>
/// sregistry-cli's <c>registry</c> backend, call for call (sregistry/main/registry/*.py, SREGISTRY-CLI.md): the same
/// signatures, requests, JSON and streamed multipart upload. The client itself installs only from PyPI.
/// </summary>
public sealed class SregistryClient(Uri baseAddress, string username, string token)
{
    private readonly HttpClient http = TestHttp.Client(baseAddress, timeout: TimeSpan.FromMinutes(10));
    /// <summary>The hour the client thinks it is (to test stale and skewed clocks).</summary>
    public DateTime? Now { get; set; }
    public string Token { get; set; } = token;

    public HttpClient Http => http;

    /// <summary><c>authorize()</c>: <c>SREGISTRY-HMAC-SHA256 Credential=kind/base64(user)/timestamp,Signature=hex</c>.</summary>
    public string Authorize(string kind, string collection, string name, string tag)
    {
        var timestamp = (Now ?? DateTime.UtcNow).ToString("yyyyMMdd'T'HH'Z'");
        var credential = $"{kind}/{Convert.ToBase64String(Encoding.UTF8.GetBytes(username))}/{timestamp}";
        var signature = SregistrySignature.Sign(Token, $"{kind}|{collection}|{timestamp}|{name}|{tag}|");
        return $"SREGISTRY-HMAC-SHA256 Credential={credential},Signature={signature}";
    }

    /// <summary><c>sregistry push -U file --name collection/name --tag tag</c>: both requests; the second answer is returned.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> PushAsync(string collection, string name, string tag, Stream file, long length)
    {
        var (status, body) = await StartPushAsync(collection, name, tag);
        if (status != HttpStatusCode.OK) return (status, body);
        return await UploadAsync(collection, name, tag, body!["cid"]!.ToString(), file, length);
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> PushAsync(string collection, string name, string tag, byte[] file) =>
        PushAsync(collection, name, tag, new MemoryStream(file), file.Length);

    public async Task<(HttpStatusCode Status, JsonNode? Body)> StartPushAsync(string collection, string name, string tag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/upload/chunked_upload")
        {
            Content = JsonContent.Create(new { collection, name, tag }),
        };
        request.Headers.TryAddWithoutValidation("Authorization", Authorize("push", collection, name, tag));
        return await SendAsync(request);
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> UploadAsync(string collection, string name, string tag, string cid, Stream file, long length)
    {
        var signature = Authorize("upload", collection, name, tag);
        var content = new MultipartEncoderContent([("SREGISTRY_EVENT", signature), ("name", name), ("collection", cid), ("tag", tag)], name, file, length);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", signature);
        return await SendAsync(request);
    }

    /// <summary><c>sregistry pull</c>: the manifest unsigned, again with a pull signature on 401/403, then the image without one.</summary>
    /// <summary>
    /// <c>/upload</c> over a raw socket: the request line, headers and form fields, then the file part's header; the caller
    /// writes (some of) the <paramref name="length"/> file bytes and then drops the connection, or lets the server die.
    /// </summary>
    public async Task<System.Net.Sockets.TcpClient> BeginRawUploadAsync(string collection, string name, string tag, string cid, long length)
    {
        const string boundary = "rawboundary";
        var fields = new StringBuilder();
        foreach (var (field, value) in new[] { ("SREGISTRY_EVENT", Authorize("upload", collection, name, tag)), ("name", name), ("collection", cid), ("tag", tag) })
            fields.Append($"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n");
        fields.Append($"--{boundary}\r\nContent-Disposition: form-data; name=\"file1\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n");
        var head = $"POST /upload HTTP/1.1\r\nHost: {baseAddress.Host}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length + 1024}\r\n\r\n";
        var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(baseAddress.Host, baseAddress.Port);
        await socket.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head + fields));
        return socket;
    }

    public async Task<(HttpStatusCode Status, JsonNode? Manifest, byte[]? Image)> PullAsync(string collection, string name, string tag)
    {
        var path = $"/api/container/{collection}/{name}:{tag}";
        var (status, manifest) = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path));
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var signed = new HttpRequestMessage(HttpMethod.Get, path);
            signed.Headers.TryAddWithoutValidation("Authorization", Authorize("pull", collection, name, tag));
            (status, manifest) = await SendAsync(signed);
        }
        if (status != HttpStatusCode.OK) return (status, manifest, null);
        using var plain = new HttpClient();
        return (status, manifest, await plain.GetByteArrayAsync((string)manifest!["image"]!));
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> DeleteAsync(string collection, string name, string tag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/container/{collection}/{name}:{tag}");
        request.Headers.TryAddWithoutValidation("Authorization", Authorize("delete", collection, name, tag));
        return await SendAsync(request);
    }

    /// <summary>A GET as the search commands send it: unsigned, or signed as a pull over the given fields.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(string path, (string Collection, string Name, string Tag)? signedAs = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (signedAs is var (c, n, t)) request.Headers.TryAddWithoutValidation("Authorization", Authorize("pull", c, n, t));
        return await SendAsync(request);
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpRequestMessage request)
    {
        var (status, text) = await http.ReadAsync(request);
        return (status, TestHttp.Json(text));
    }
}

/// <summary>
/// requests-toolbelt's <c>MultipartEncoder</c> as sregistry-cli uses it: fields in order, then <c>file1</c> with the
/// container name as file name and <c>text/plain</c>, streamed with a Content-Length (never held in memory).
/// </summary>
public sealed class MultipartEncoderContent : HttpContent
{
    private readonly byte[] head, tail;
    private readonly Stream file;
    private readonly long length;

    public MultipartEncoderContent(IEnumerable<(string Name, string Value)> fields, string fileName, Stream file, long length)
    {
        var boundary = Guid.NewGuid().ToString("N");
        var text = new StringBuilder();
        foreach (var (name, value) in fields)
            text.Append($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
        text.Append($"--{boundary}\r\nContent-Disposition: form-data; name=\"file1\"; filename=\"{fileName}\"\r\nContent-Type: text/plain\r\n\r\n");
        head = Encoding.UTF8.GetBytes(text.ToString());
        tail = Encoding.UTF8.GetBytes($"\r\n--{boundary}--\r\n");
        (this.file, this.length) = (file, length);
        Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(head);
        await file.CopyToAsync(stream, 1 << 16);
        await stream.WriteAsync(tail);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = head.Length + this.length + tail.Length;
        return true;
    }
}
