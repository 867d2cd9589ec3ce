using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Registry.Tests.Oci;

/// <summary>
/// Speaks <c>/v2/</c> as go-containerregistry does: the Bearer handshake through the challenge's realm (Basic with a
/// user name and API token), then the requests with that token. Raw responses are returned for the tests to assert.
/// </summary>
public sealed class OciClient(Uri baseAddress, string? user = null, string? apiToken = null)
{
    public HttpClient Http { get; } = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = baseAddress };

    /// <summary>Gets a token for <paramref name="scope"/> from the realm named by <c>GET /v2/</c>'s challenge and uses it from now on.</summary>
    public async Task<HttpResponseMessage> LoginAsync(string scope)
    {
        using var ping = await Http.GetAsync("/v2/");
        var realm = ping.Headers.WwwAuthenticate.Single().Parameter!.Split(',')[0].Split('=')[1].Trim('"');
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{realm}?service=test&scope={Uri.EscapeDataString(scope)}");
        if (user is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{apiToken}")));
        var response = await Http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            var token = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["token"]!;
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return response;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body = null, Action<HttpRequestMessage>? setup = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new ByteArrayContent(body);
        setup?.Invoke(request);
        return Http.SendAsync(request);
    }

    /// <summary>POST, one streamed PATCH, PUT ?digest= — the flow apptainer and skopeo use; answers the final PUT.</summary>
    public async Task<HttpResponseMessage> PushBlobAsync(string repo, byte[] blob)
    {
        using var start = await SendAsync(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/");
        start.StatusCode.ShouldBe(HttpStatusCode.Accepted, await start.Content.ReadAsStringAsync());
        using var patch = await SendAsync(HttpMethod.Patch, start.Headers.Location!.ToString(), blob);
        patch.StatusCode.ShouldBe(HttpStatusCode.Accepted, await patch.Content.ReadAsStringAsync());
        return await SendAsync(HttpMethod.Put, $"{patch.Headers.Location}?digest={Digest(blob)}");
    }

    /// <summary>Pushes <paramref name="sif"/> as apptainer does (config {} and the SIF layer) and the manifest by <paramref name="reference"/>.</summary>
    public async Task<(HttpResponseMessage Response, byte[] Manifest)> PushSifAsync(string repo, string reference, byte[] sif)
    {
        (await PushBlobAsync(repo, "{}"u8.ToArray())).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await PushBlobAsync(repo, sif)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var manifest = SifManifestOf(sif);
        return (await PutManifestAsync(repo, reference, manifest), manifest);
    }

    public Task<HttpResponseMessage> PutManifestAsync(string repo, string reference, byte[] manifest, string mediaType = "application/vnd.oci.image.manifest.v1+json") =>
        SendAsync(HttpMethod.Put, $"/v2/{repo}/manifests/{reference}", manifest, r => r.Content!.Headers.ContentType = new MediaTypeHeaderValue(mediaType));

    /// <summary>The manifest apptainer 1.5 writes: config without data, one SIF layer with a title.</summary>
    public static byte[] SifManifestOf(byte[] sif, string title = "image.sif") => Encoding.UTF8.GetBytes(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.sylabs.sif.config.v1+json\","
        + $"\"digest\":\"{Digest("{}"u8.ToArray())}\",\"size\":2}},\"layers\":[{{\"mediaType\":\"application/vnd.sylabs.sif.layer.v1.sif\","
        + $"\"digest\":\"{Digest(sif)}\",\"size\":{sif.Length},\"annotations\":{{\"org.opencontainers.image.title\":\"{title}\"}}}}]}}");

    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The first OCI error's code of a response body.</summary>
    public static async Task<string> ErrorCodeAsync(HttpResponseMessage response)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (string)body["errors"]![0]!["code"]!;
    }
}
