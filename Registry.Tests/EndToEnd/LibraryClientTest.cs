using System.Net.Http.Headers;
using System.Text.Json;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.EndToEnd;

/// <summary>
/// What the end-to-end scenarios with the real Apptainer library client 1.2.2 (EndToEnd/libclient) share: the server
/// started as a child process (one for the whole collection), the driver, and readers of its output.
/// Every test uses its own users, entities and collections.
/// </summary>
public abstract class LibraryClientTest(RegistryFixture fx, ITestOutputHelper output)
{
    protected const int Small = 200_000;
    protected const int Big = 70_000_000; // SIF > 64 MiB => multipart upload (RegistryServer offers 32 MiB parts: 3 of them)
    protected RegistryFixture fx = fx;


    /// <summary>Substring the server logs once per upload PUT it receives.</summary>
    protected const string UploadLogLine = "upload received";

    protected async Task<ProcessResult> Lib(string? token, params string[] args)
    {
        var r = await fx.LibAsync(token, args);
        output.WriteLine($"$ libclient {string.Join(' ', args)}   (token: {(token is null ? "none" : "yes")})\n{r}\n");
        return r;
    }

    /// <summary>The <c>key=value</c> lines of the driver's stdout.</summary>
    protected static Dictionary<string, string> Kv(ProcessResult r) =>
        r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains('='))
            .Select(l => l.Split('=', 2))
            .GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);

    protected static string[] Lines(ProcessResult r) => Lines(r.Stdout);

    protected static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    protected static bool FilesEqual(string a, string b) =>
        new FileInfo(a).Length == new FileInfo(b).Length && File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));

    protected async Task<int> WaitForUploadCountAsync(int before)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (fx.Server.CountLogLines(UploadLogLine) <= before && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        return fx.Server.CountLogLines(UploadLogLine);
    }

    /// <summary>GET /v1/images/{reference}?arch= with HttpClient; returns the <c>data</c> member.</summary>
    protected async Task<JsonElement> GetImageJsonAsync(string reference, string arch, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/images/{reference}?arch={arch}");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await fx.Server.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"GET /v1/images/{reference}?arch={arch} -> {(int)response.StatusCode} {body}");
        ((int)response.StatusCode).ShouldBe(200, body);
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("data").Clone();
    }
}
