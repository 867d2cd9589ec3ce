using System.Net;

namespace Registry.Tests.Api;

public sealed class RateLimitedFactory()
    : RegistryApiFactory(new() { ["RateLimits:ApiPerTokenPerMinute"] = "5", ["RateLimits:AnonymousPerAddressPerMinute"] = "100" });

/// <summary>API limits are per token, so one busy token (a CI job) does not block another user behind the same address.</summary>
public sealed class RateLimitTests(RateLimitedFactory factory) : IClassFixture<RateLimitedFactory>
{
    [Fact]
    public async Task A_busy_token_gets_429_with_retry_after_while_others_continue()
    {
        var (_, busyToken) = await factory.CreateUserAsync("busy");
        var (_, calmToken) = await factory.CreateUserAsync("calm");
        var busy = factory.Client(busyToken);
        for (var i = 0; i < 5; i++) (await busy.GetAsync("/v1/token-status")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var refused = await busy.GetAsync("/v1/token-status");
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter.ShouldNotBeNull();
        (await refused.Content.ReadAsStringAsync()).ShouldStartWith("""{"error":{"code":429,"message":"too many requests""");

        (await factory.Client(calmToken).GetAsync("/v1/token-status")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await factory.Client().GetAsync("/version")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Sregistry_signatures_count_against_their_verified_token_and_get_429_as_detail()
    {
        var (_, busyToken) = await factory.CreateUserAsync("busysr");
        var (_, calmToken) = await factory.CreateUserAsync("calmsr");
        var busy = new Registry.Tests.Sregistry.SregistryClient(factory.BaseAddress, "busysr", busyToken);
        for (var i = 0; i < 5; i++) (await busy.GetAsync("/api/collections/", ("", "", ""))).Status.ShouldBe(HttpStatusCode.OK);

        using var refused = await busy.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/collections/")
        {
            Headers = { { "Authorization", busy.Authorize("pull", "", "", "") } },
        });
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter.ShouldNotBeNull();
        (await refused.Content.ReadAsStringAsync()).ShouldStartWith("""{"detail":"too many requests""");
        // The token is the bucket, whichever way it is sent; another user's signatures and anonymous calls go on.
        (await factory.Client(busyToken).GetAsync("/v1/token-status")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        var calm = new Registry.Tests.Sregistry.SregistryClient(factory.BaseAddress, "calmsr", calmToken);
        (await calm.GetAsync("/api/collections/", ("", "", ""))).Status.ShouldBe(HttpStatusCode.OK);
        (await factory.Client().GetAsync("/api/collections/")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

public sealed class AnonymousLimitedFactory() : RegistryApiFactory(new()
{
    ["RateLimits:ApiPerTokenPerMinute"] = "1000",
    ["RateLimits:AnonymousPerAddressPerMinute"] = AnonymousLimit.ToString(),
})
{
    public const int AnonymousLimit = 20;
}

/// <summary>Only a token that exists makes a token caller: any other credential is counted as anonymous, by address.</summary>
public sealed class AnonymousRateLimitTests(AnonymousLimitedFactory factory) : IClassFixture<AnonymousLimitedFactory>
{
    [Fact]
    public async Task Made_up_credentials_do_not_escape_the_anonymous_limit()
    {
        var (_, token) = await factory.CreateUserAsync("counted");
        var anonymous = factory.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < AnonymousLimitedFactory.AnonymousLimit; i++) statuses.Add((await SendAsync(anonymous, null)).StatusCode);
        statuses.ShouldAllBe(s => s == HttpStatusCode.OK);
        (await SendAsync(anonymous, null)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        foreach (var credential in new[] { "Basic " + Convert.ToBase64String(Guid.NewGuid().ToByteArray()), "Bearer " + Guid.NewGuid(),
                     "Negotiate " + Guid.NewGuid(), "Bearer", "Basic", "xxxxxxxxxxxxxxxx" })
        {
            var refused = await SendAsync(anonymous, credential);
            refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, $"Authorization: {credential}");
            (await refused.Content.ReadAsStringAsync()).ShouldStartWith("""{"error":{"code":429,""");
        }
        (await SendAsync(anonymous, "BEARER " + token)).StatusCode.ShouldBe(HttpStatusCode.OK, "a real token has its own limit");
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/entities/counted");
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return client.SendAsync(request);
    }
}
