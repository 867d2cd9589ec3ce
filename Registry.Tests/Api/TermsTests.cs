using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
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
    public async Task A_cli_secret_logs_in_to_v2_only_while_its_user_agrees_to_the_current_terms()
    {
        var (user, token) = await factory.CreateUserAsync("undecidedoci");
        var terms = factory.Services.GetRequiredService<TermsService>();
        await terms.AgreeAsync(Actor.ForUser(user.Id, "undecidedoci", false));
        var secret = (await Registry.Tests.Oci.CliRequests.GetLoginPasswordAsync(factory.BaseAddress, token)).Secret!;
        const string scope = "repository:undecidedoci/lab/tool:pull,push";
        (await new Registry.Tests.Oci.OciClient(factory.BaseAddress, "undecidedoci", secret).LoginAsync(scope)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // New terms (as an administrator raising the version does): agreed to an older one only.
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync())
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.AcceptedTermsVersion, (int?)2));
        factory.Services.GetRequiredService<WriteGeneration>().Bump();
        using var refused = await new Registry.Tests.Oci.OciClient(factory.BaseAddress, "undecidedoci", secret).LoginAsync(scope);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Content.ReadAsStringAsync()).ShouldBe("""{"errors":[{"code":"DENIED","message":"agree to the registry's terms of service (sign in to the web UI, page /terms) before using tokens","detail":null}]}""");

        await terms.AgreeAsync(Actor.ForUser(user.Id, "undecidedoci", false));
        (await new Registry.Tests.Oci.OciClient(factory.BaseAddress, "undecidedoci", secret).LoginAsync(scope)).StatusCode.ShouldBe(HttpStatusCode.OK);
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
