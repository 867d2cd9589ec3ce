using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Registry.Tests.Signatures;

/// <summary>
/// A signed image pushed into a collection that does not demand signatures is published at once and verified right after,
/// in the background ("signed": null until then): tests that read its verdict wait for it first, bounded.
/// </summary>
public static class Verdicts
{
    /// <summary>The Library API's image JSON once its <c>signed</c> is no longer null (or after 30 s, as it is then).</summary>
    public static async Task<JsonNode> StoredAsync(HttpClient http, string? token, string reference)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "v1/images/" + reference);
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            var image = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"];
            if (image?["signed"] is not null || clock.Elapsed > TimeSpan.FromSeconds(30)) return image!;
            await Task.Delay(50);
        }
    }
}
