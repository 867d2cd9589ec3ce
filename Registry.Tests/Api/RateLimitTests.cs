using System.Net;

namespace Registry.Tests.Api;

public sealed class RateLimitedFactory : RegistryApiFactory
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings =>
    [
        ("RateLimits:ApiPerTokenPerMinute", "5"),
        ("RateLimits:AnonymousPerAddressPerMinute", "100"),
    ];
}

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
}
