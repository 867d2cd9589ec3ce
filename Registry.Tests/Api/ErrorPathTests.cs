using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Search;
using Registry.Core.Sregistry;
using Registry.Tests.Faults;

namespace Registry.Tests.Api;

/// <summary>
/// The database behind the home page, search and the sregistry listing is unreachable: the home page, <c>/v1/search</c>
/// and <c>/api/collections/</c> fail, as anything would on an unexpected error.
/// </summary>
public sealed class FailingHomePageFactory() : RegistryApiFactory(new()
{
    Services = services => services
        .AddSingleton(new CollectionBrowser(new UnreachableDatabase(), new ViewerCache(new WriteGeneration())))
        .AddSingleton(new SearchService(new UnreachableDatabase()))
        .AddSingleton(new SregistryCatalog(new UnreachableDatabase())),
});

internal sealed class UnreachableDatabase : IDbContextFactory<RegistryDbContext>
    {
    public RegistryDbContext CreateDbContext() => throw new InvalidOperationException("the database is unreachable (test)");
}

/// <summary>Errors answer a page (web) or the envelope (API), with the security headers; a bad Host is a clean 400.</summary>
public sealed class ErrorPathTests(FailingHomePageFactory factory) : IClassFixture<FailingHomePageFactory>
{
    private Task<RawResponse?> SendAsync(string head) => RawHttp.SendAsync(factory.BaseAddress, head + "\r\nConnection: close", default, TimeSpan.FromSeconds(30));

    private static void ShouldHaveSecurityHeaders(RawResponse response)
    {
        RawHttp.Header(response.Head, "Content-Security-Policy").ShouldNotBeNull(response.Head).ShouldContain("frame-ancestors 'none'");
        RawHttp.Header(response.Head, "X-Frame-Options").ShouldBe("DENY", response.Head);
        RawHttp.Header(response.Head, "X-Content-Type-Options").ShouldBe("nosniff", response.Head);
    }

    [Fact]
    public async Task An_exception_on_a_page_answers_the_error_page_with_the_security_headers()
    {
        var response = (await SendAsync("GET / HTTP/1.1\r\nHost: localhost")).ShouldNotBeNull();
        response.Status.ShouldBe(500);
        response.Body.ShouldContain("Something went wrong");
        response.Body.ShouldNotContain("unreachable (test)"); // details stay in the server log
        ShouldHaveSecurityHeaders(response);
    }

    [Fact]
    public async Task An_exception_on_the_api_answers_the_envelope_with_the_security_headers()
    {
        var response = (await SendAsync("GET /v1/search?value=tools HTTP/1.1\r\nHost: localhost")).ShouldNotBeNull();
        response.Status.ShouldBe(500, response.Body);
        response.Body.ShouldBe("""{"error":{"code":500,"message":"internal error; the server log has the details"}}""");
        ShouldHaveSecurityHeaders(response);
    }

    [Fact]
    public async Task An_exception_on_the_sregistry_api_answers_its_detail_with_the_security_headers()
    {
        var response = (await SendAsync("GET /api/collections/ HTTP/1.1\r\nHost: localhost")).ShouldNotBeNull();
        response.Status.ShouldBe(500, response.Body);
        response.Body.ShouldBe("""{"detail":"internal error; the server log has the details"}""");
        ShouldHaveSecurityHeaders(response);
        var unknown = (await SendAsync("GET /api/labels/nothing HTTP/1.1\r\nHost: localhost")).ShouldNotBeNull();
        unknown.Status.ShouldBe(404, unknown.Body);
        unknown.Body.ShouldBe("""{"detail":"GET /api/labels/nothing is not part of this API"}""");
    }

    [Fact]
    public async Task An_unknown_page_answers_the_not_found_page_with_the_security_headers()
    {
        var response = (await SendAsync("GET /no/such/page/here HTTP/1.1\r\nHost: localhost")).ShouldNotBeNull();
        response.Status.ShouldBe(404);
        response.Body.ShouldContain("There is nothing here");
        ShouldHaveSecurityHeaders(response);
    }

    [Theory]
    [InlineData("Host:")]
    [InlineData("Host: ")]
    public async Task An_empty_host_is_a_clean_400(string host)
    {
        var page = (await SendAsync($"GET / HTTP/1.1\r\n{host}")).ShouldNotBeNull();
        page.Status.ShouldBe(400, page.Body);
        page.Body.ShouldBe("invalid Host header");
        ShouldHaveSecurityHeaders(page);

        var api = (await SendAsync($"GET /v1/entities/x HTTP/1.1\r\n{host}")).ShouldNotBeNull();
        api.Status.ShouldBe(400, api.Body);
        api.Body.ShouldBe("""{"error":{"code":400,"message":"invalid Host header"}}""");
        var sregistry = (await SendAsync($"GET /api/collections/ HTTP/1.1\r\n{host}")).ShouldNotBeNull();
        sregistry.Status.ShouldBe(400, sregistry.Body);
        sregistry.Body.ShouldBe("""{"detail":"invalid Host header"}""");
    }

    [Theory]
    [InlineData("Host: a b")]
    [InlineData("Host: :5000")]
    [InlineData("Host: " + "x..y")]
    public async Task A_bad_host_is_a_400(string host) // Kestrel refuses some itself, HostValidation the rest
    {
        (await SendAsync($"GET / HTTP/1.1\r\n{host}")).ShouldNotBeNull().Status.ShouldBe(400);
        (await SendAsync($"GET /v1/entities/x HTTP/1.1\r\n{host}")).ShouldNotBeNull().Status.ShouldBe(400);
    }

    [Fact]
    public async Task An_http_1_0_request_without_host_is_a_clean_400()
    {
        var response = (await SendAsync("GET / HTTP/1.0")).ShouldNotBeNull();
        response.Status.ShouldBe(400, response.Body);
        ShouldHaveSecurityHeaders(response);
    }
}
