using System.Net;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;
using Registry.Tests.SignIn;

namespace Registry.Tests.Nodes;

/// <summary>
/// X-Forwarded-For/-Proto/-Host over real HTTP: honoured when the peer (127.0.0.1) is a configured proxy, ignored when
/// it is not (a client spoofing them gets nothing). What follows them: the pull's 303 Location, the upload URL, the
/// rate limits' per-address partition and the sign-in cookie's Secure flag.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class ForwardedHeadersTests
{
    private const string PublicHost = "registry.example.org";

    [Fact]
    public async Task Headers_from_a_configured_proxy_give_the_clients_scheme_host_and_address()
    {
        await using var server = await StartAsync(trustedProxy: "127.0.0.1");
        var (reference, imageFile) = await PushAsync(server);
        using var proxied = Proxied(server, clientAddress: "203.0.113.7");

        using var pull = await proxied.GetAsync($"/v1/imagefile/{reference}");
        pull.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        var location = pull.Headers.Location!;
        location.GetLeftPart(UriPartial.Authority).ShouldBe($"https://{PublicHost}");
        // The signed URL is the proxy's: the node serves it (as the proxy would forward it) and the bytes are the image.
        (await server.Http.GetByteArrayAsync(location.PathAndQuery)).ShouldBe(imageFile);

        (await UploadUrlAsync(server, proxied)).ShouldStartWith($"https://{PublicHost}/");
        (await SignInCookieAsync(server, proxied)).ShouldContain("secure", Case.Insensitive);

        // Per-address limits count the client, not the proxy: 203.0.113.8 has its own window after .7 used up its three.
        var first = await AnonymousCallsAsync(server, "203.0.113.8", 4);
        first.ShouldContain(HttpStatusCode.TooManyRequests);
        (await AnonymousCallsAsync(server, "203.0.113.9", 1)).ShouldNotContain(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task The_same_headers_from_any_other_peer_are_ignored()
    {
        await using var server = await StartAsync(trustedProxy: "192.0.2.10");
        var (reference, _) = await PushAsync(server);
        using var spoofing = Proxied(server, clientAddress: "203.0.113.7");

        using var pull = await spoofing.GetAsync($"/v1/imagefile/{reference}");
        pull.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        pull.Headers.Location!.GetLeftPart(UriPartial.Authority).ShouldBe(server.BaseUrl);
        (await UploadUrlAsync(server, spoofing)).ShouldStartWith(server.BaseUrl + "/");
        (await SignInCookieAsync(server, spoofing)).ShouldNotContain("secure", Case.Insensitive);

        // A spoofed X-Forwarded-For per call does not give a caller fresh windows: all count as 127.0.0.1.
        var calls = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) calls.AddRange(await AnonymousCallsAsync(server, $"198.51.100.{i + 1}", 1));
        calls.ShouldContain(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Nothing_configured_trusts_no_one_not_even_loopback()
    {
        await using var server = await RegistryServer.StartAsync();
        using var spoofing = Proxied(server, clientAddress: "203.0.113.7");
        (await UploadUrlAsync(server, spoofing)).ShouldStartWith(server.BaseUrl + "/");
    }

    private static Task<RegistryServer> StartAsync(string trustedProxy) => RegistryServer.StartAsync(new HostSetup
    {
        ["ReverseProxy:KnownProxies:0"] = trustedProxy,
        ["RateLimits:AnonymousPerAddressPerMinute"] = "3",
    });

    /// <summary>A client whose every request carries what a TLS-terminating proxy adds.</summary>
    private static HttpClient Proxied(RegistryServer server, string clientAddress, string? token = null)
    {
        var http = TestHttp.Client(new Uri(server.BaseUrl), token);
        http.DefaultRequestHeaders.Add("X-Forwarded-For", clientAddress);
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        http.DefaultRequestHeaders.Add("X-Forwarded-Host", PublicHost);
        return http;
    }

    private static async Task<(string Reference, byte[] File)> PushAsync(RegistryServer server)
    {
        var user = await server.NewUserAsync(RegistryFixture.Unique("fwd"));
        var file = SifBuilder.Bytes(4096);
        using var http = TestHttp.Client(new Uri(server.BaseUrl), user.Token);
        await new LibraryClient(http).PushAsync(user.Name, "tools", "probe", file, "1.0");
        return ($"{user.Name}/tools/probe:1.0", file);
    }

    /// <summary>The uploadURL a v2 upload start hands out through <paramref name="via"/> (which carries a token of its own).</summary>
    private static async Task<string> UploadUrlAsync(RegistryServer server, HttpClient via)
    {
        var user = await server.NewUserAsync(RegistryFixture.Unique("up"));
        var headers = via.DefaultRequestHeaders.Where(h => h.Key.StartsWith("X-Forwarded-", StringComparison.Ordinal)).ToList();
        using var http = TestHttp.Client(new Uri(server.BaseUrl), user.Token);
        foreach (var (key, values) in headers) http.DefaultRequestHeaders.Add(key, values);
        var client = new LibraryClient(http);
        var (_, entity) = await client.GetAsync($"/v1/entities/{user.Name}");
        var (_, collection) = await client.PostAsync("/v1/collections", new { name = "tools", entity = (string)entity!["data"]!["id"]!, @private = false });
        var (_, container) = await client.PostAsync("/v1/containers", new { name = "next", collection = (string)collection!["data"]!["id"]! });
        var file = SifBuilder.Bytes(4096);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + hash, container = (string)container!["data"]!["id"]!, description = "" });
        var (status, start) = await client.PostAsync($"/v2/imagefile/{(string)image!["data"]!["id"]!}", new { filesize = file.Length, sha256sum = hash, md5sum = "" });
        status.ShouldBe(HttpStatusCode.OK, start?.ToJsonString());
        return (string)start!["data"]!["uploadURL"]!;
    }

    /// <summary>Signs in through <paramref name="via"/>'s forwarded headers; the Set-Cookie of the sign-in cookie.</summary>
    private static async Task<string> SignInCookieAsync(RegistryServer server, HttpClient via)
    {
        var name = RegistryFixture.Unique("web");
        var password = await server.CreateUserAsync(name);
        using var login = await via.GetAsync("/Account/Login");
        var html = await login.Content.ReadAsStringAsync();
        var antiforgery = login.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)).Split(';')[0];
        using var post = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = BrowserSession.Hidden(html, "__RequestVerificationToken"),
                ["_handler"] = "login", ["Input.Email"] = name, ["Input.Password"] = password,
            }),
        };
        post.Headers.Add("Cookie", antiforgery);
        using var signedIn = await via.SendAsync(post);
        ((int)signedIn.StatusCode).ShouldBeInRange(300, 399, await signedIn.Content.ReadAsStringAsync());
        return signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));
    }

    private static async Task<List<HttpStatusCode>> AnonymousCallsAsync(RegistryServer server, string clientAddress, int count)
    {
        using var http = Proxied(server, clientAddress);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var response = await http.GetAsync("/v1/entities/no-such-entity");
            statuses.Add(response.StatusCode);
        }
        return statuses;
    }
}
