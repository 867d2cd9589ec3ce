using System.Net;

namespace Registry.Tests.Api;

/// <summary>Pages for users, teams and settings that don't exist answer the app's not-found page with 404, not a 200.</summary>
public sealed class MissingPagesTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Theory]
    [InlineData("/u/nobody-here")]
    [InlineData("/teams/no-such-team")]
    [InlineData("/present/no-such-collection/settings")]
    [InlineData("/present/no-such-collection")]
    [InlineData("/a/b/c/d")]                      // more segments than any page has: once the browser's own blank 404
    [InlineData("/present/tools/demo/extra/more")]
    public async Task A_missing_thing_is_a_404_with_the_not_found_page(string path)
    {
        var response = await factory.Client().GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldContain("There is nothing here, or it is private");
    }

    [Fact]
    public async Task An_existing_profile_is_a_200()
    {
        await factory.CreateUserAsync("visible");
        (await factory.Client().GetAsync("/u/visible")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
