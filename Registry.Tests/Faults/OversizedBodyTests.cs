using Xunit.Abstractions;

namespace Registry.Tests.Faults;

/// <summary>
/// Bodies far over the 1 MiB cap, chunked (no Content-Length to refuse up front): the answer (401 without a token, 413
/// with one) comes after at most the cap was read, not after the whole body, and the server's memory does not grow by it.
/// </summary>
[Collection(FaultsCollection.Name)]
public sealed class OversizedBodyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long BodyBytes = 100L << 20;
    // Kestrel reads the cap plus its request buffer (2 MiB); the kernel buffers a few MiB more on loopback.
    private const long ReadAtMost = 24L << 20;
    private readonly string _root = Directory.CreateTempSubdirectory("registry-faults-oversized-").FullName;

    private sealed record Case(string Method, string Path, bool WithToken, string ContentType, string Prefix, int Status);

    private static readonly Case[] Cases =
    [
        new("POST", "/v1/entities", false, "application/json", "{\"name\":\"", 401),
        new("POST", "/v1/entities", true, "application/json", "{\"name\":\"", 413),
        new("POST", "/v2/tags/x", true, "application/json", "{\"Tag\":\"", 413),
        new("PUT", "/v2/imagefile/x/_multipart_complete", true, "application/json", "{\"uploadID\":\"", 413),
        new("POST", "/pks/add", false, "application/x-www-form-urlencoded", "keytext=", 401),
        new("POST", "/pks/add", true, "application/x-www-form-urlencoded", "keytext=", 413),
        // Web endpoints: the sign-in form (any 4xx) and the upload page's start call.
        new("POST", "/Account/Login", false, "application/x-www-form-urlencoded", "Input.Email=", 0),
        new("POST", "/browser-upload", false, "application/json", "{\"entity\":\"", 401),
    ];

    [Fact]
    public async Task Chunked_bodies_over_the_cap_are_answered_without_being_read_whole_and_leave_memory_alone()
    {
        await using var server = await FaultServer.StartAsync(Path.Combine(_root, "data"));
        var token = await server.NewUserTokenAsync("oversized");
        var uri = new Uri(server.BaseUrl);

        foreach (var c in Cases) await SendAsync(uri, c, token, 3L << 20); // warm up every path first
        var before = server.ResidentBytes();
        for (var round = 0; round < 2; round++)
            foreach (var c in Cases)
            {
                var (response, sent) = await SendAsync(uri, c, token, BodyBytes);
                output.WriteLine($"{c.Method} {c.Path} token={c.WithToken}: {response?.Status} after {sent >> 20} MiB sent");
                response.ShouldNotBeNull($"{c.Method} {c.Path}: no answer");
                if (c.Status == 0) response.Status.ShouldBeInRange(400, 499, $"{c.Method} {c.Path}: {response.Body}");
                else
                {
                    response.Status.ShouldBe(c.Status, $"{c.Method} {c.Path}: {response.Body}");
                    if (!c.Path.StartsWith("/browser-upload")) response.Body.ShouldStartWith($$"""{"error":{"code":{{c.Status}},""");
                }
                sent.ShouldBeLessThan(ReadAtMost, $"{c.Method} {c.Path} was read whole before the answer");
            }
        var grown = server.ResidentBytes() - before;
        output.WriteLine($"resident memory grew by {grown >> 20} MiB");
        grown.ShouldBeLessThan(BodyBytes / 2, "the server kept what it read");
        server.HasExited.ShouldBeFalse();
    }

    private static async Task<(RawResponse? Response, long Sent)> SendAsync(Uri uri, Case c, string token, long bytes)
    {
        var head = $"{c.Method} {c.Path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {c.ContentType}\r\nConnection: close"
            + (c.WithToken ? $"\r\nAuthorization: Bearer {token}" : "");
        return await RawHttp.SendChunkedAsync(uri, head, c.Prefix, bytes, TimeSpan.FromSeconds(60));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }
}
