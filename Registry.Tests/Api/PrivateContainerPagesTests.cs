using System.Net;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Identity;
using Registry.Tests.SignIn;

namespace Registry.Tests.Api;

/// <summary>
/// Issue 18: a private container's tag pages (<c>?page=</c>) over real HTTP, as the server renders them: the app's
/// not-found page with 404 for visitors and for another signed-in user, on every page; the owner's second page.
/// </summary>
public sealed class PrivateContainerPagesTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private const string Password = "Pass-word-1";

    [Fact]
    public async Task Every_tag_page_of_a_private_container_is_a_404_for_visitors_and_other_users()
    {
        var (hider, token) = await factory.CreateUserAsync("hider");
        await SetPasswordAsync(hider);
        var (peeker, _) = await factory.CreateUserAsync("peeker");
        await SetPasswordAsync(peeker);
        var library = new LibraryClient(factory.Client(token));
        var (_, entity) = await library.GetAsync("/v1/entities/hider");
        (await library.PostAsync("/v1/collections", new { name = "vault", entity = (string)entity!["data"]!["id"]!, @private = true }))
            .Status.ShouldBe(HttpStatusCode.OK);
        var tags = Enumerable.Range(0, 55).Select(i => $"r{i:D2}").ToArray(); // set one after the other: r54 is the newest
        await library.PushAsync("hider", "vault", "tall", SifBuilder.Bytes(4096), tags);

        foreach (var path in new[] { "/hider/vault/tall", "/hider/vault/tall?page=2" })
        {
            var anonymous = await factory.Client().GetAsync(path);
            anonymous.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
            (await anonymous.Content.ReadAsStringAsync()).ShouldContain("There is nothing here, or it is private");
            using var other = await SignedInAsync("peeker");
            var refused = await other.GetAsync(path);
            refused.Status.ShouldBe(HttpStatusCode.NotFound, path);
            refused.Html.ShouldContain("There is nothing here, or it is private");
            refused.Html.ShouldNotContain("data-tag-pages");
            refused.Html.ShouldNotContain("library://");
        }

        using var owner = await SignedInAsync("hider");
        var second = await owner.GetAsync("/hider/vault/tall?page=2");
        second.Status.ShouldBe(HttpStatusCode.OK);
        var document = new HtmlParser().ParseDocument(second.Html);
        document.QuerySelectorAll("tbody tr [data-label=Tag] b").Select(b => b.TextContent.Trim()).ShouldBe(["r04", "r03", "r02", "r01", "r00"]);
        document.QuerySelector("[data-tag-pages]")!.TextContent.ShouldContain("page 2 of 2 · 55 tag rows");
    }

    private async Task SetPasswordAsync(RegistryUser user)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
        (await users.AddPasswordAsync((await users.FindByIdAsync(user.Id))!, Password)).Succeeded.ShouldBeTrue();
    }

    private async Task<BrowserSession> SignedInAsync(string name)
    {
        var browser = new BrowserSession(factory.BaseAddress, LocalSignIn.NextAddress());
        (await LocalSignIn.SignInAsync(browser, name, Password)).Address.AbsolutePath.ShouldBe("/");
        return browser;
    }
}
