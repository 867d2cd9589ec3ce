using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Terms;

namespace Registry.Tests.Api;

public sealed class TermsFactory() : RegistryApiFactory(new() { ["Accounts:TermsVersion"] = "3" });

/// <summary>Until a user agrees to the current terms, the API refuses their existing tokens.</summary>
public sealed class TermsTests(TermsFactory factory) : IClassFixture<TermsFactory>
{
    [Fact]
    public async Task Tokens_work_only_after_agreeing_to_the_current_terms()
    {
        var (user, token) = await factory.CreateUserAsync("undecided");
        var client = factory.Client(token);
        var refused = await client.GetAsync("/v1/entities/undecided");
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Content.ReadAsStringAsync()).ShouldBe("""{"error":{"code":403,"message":"agree to the registry\u0027s terms of service (sign in to the web UI, page /terms) before using tokens"}}""");

        await factory.Services.GetRequiredService<TermsService>().AgreeAsync(Actor.ForUser(user.Id, "undecided", false));
        (await client.GetAsync("/v1/entities/undecided")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Sregistry_signatures_work_only_after_agreeing_to_the_current_terms()
    {
        var (user, token) = await factory.CreateUserAsync("undecidedsr");
        var client = new Registry.Tests.Sregistry.SregistryClient(factory.BaseAddress, "undecidedsr", token);
        var (status, body) = await client.StartPushAsync("termslab", "tool", "v1");
        status.ShouldBe(HttpStatusCode.Forbidden);
        body!["detail"]!.GetValue<string>().ShouldBe("agree to the registry's terms of service (sign in to the web UI, page /terms) before using tokens");

        await factory.Services.GetRequiredService<TermsService>().AgreeAsync(Actor.ForUser(user.Id, "undecidedsr", false));
        (await client.StartPushAsync("termslab", "tool", "v1")).Status.ShouldBe(HttpStatusCode.OK);
    }
}
