using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// The HTTP plumbing every test client shares (<see cref="Api.LibraryClient"/>, <see cref="Faults.FaultClient"/>,
/// <see cref="Sregistry.SregistryClient"/>, the hosts' <c>Client(token)</c>): real HTTP that never follows a redirect,
/// a token in the Authorization header, JSON bodies the way the Go library client sends them, answers read as text or JSON.
/// </summary>
public static class TestHttp
{
    /// <summary>An HttpClient for <paramref name="baseAddress"/>, with the token when given (gen-A clients spell the scheme <c>BEARER</c>).</summary>
    public static HttpClient Client(Uri baseAddress, string? token = null, TimeSpan? timeout = null, string scheme = "BEARER", int maxConnections = int.MaxValue)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = maxConnections }) { BaseAddress = baseAddress };
        if (timeout is { } t) client.Timeout = t;
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, token);
        return client;
    }

    /// <summary>A JSON body as the Go library client sends it: no Content-Type.</summary>
    public static ByteArrayContent GoJson(string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = null;
        return content;
    }

    /// <summary>One request with an optional <see cref="GoJson"/> body; the answer's status and text.</summary>
    public static async Task<(HttpStatusCode Status, string Text)> SendJsonAsync(this HttpClient http, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : GoJson(json) };
        return await http.ReadAsync(request);
    }

    /// <summary>Sends <paramref name="request"/>; the answer's status and text.</summary>
    public static async Task<(HttpStatusCode Status, string Text)> ReadAsync(this HttpClient http, HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>An answer's text as JSON; null when it is empty.</summary>
    public static JsonNode? Json(string text) => text.Length == 0 ? null : JsonNode.Parse(text);
}
