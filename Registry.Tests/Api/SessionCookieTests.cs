using System.Net;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Data;
using Registry.Core.Identity;
using Registry.Tests.SignIn;

namespace Registry.Tests.Api;

/// <summary>
/// The Library API authenticates by token only: a signed-in admin's browser cookie counts for nothing there (a page on
/// another origin could otherwise send it), and a JSON body must not come as a type a browser form or fetch sends freely.
/// </summary>
public sealed class SessionCookieTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private const string Password = "Pass-word-1";

    [Fact]
    public async Task A_signed_in_admins_cookie_acts_as_anonymous_on_the_api()
    {
        var (_, token) = await factory.CreateUserAsync("cookievictim");
        var owner = new LibraryClient(factory.Client(token));
        var imageId = await owner.PushAsync("cookievictim", "lab", "app", SifBuilder.Bytes(1500), "latest");
        var (_, container) = await owner.GetAsync("/v1/containers/cookievictim/lab/app");
        var containerId = (string)container!["data"]!["id"]!;
        using var browser = await SignedInAdminAsync("cookieadmin");

        var writes = new (HttpMethod Method, string Path, string? Json)[]
        {
            (HttpMethod.Post, "/v1/entities", """{"name":"cookiemade"}"""),
            (HttpMethod.Post, "/v1/images", $$"""{"hash":"sha256.{{new string('e', 64)}}","container":"{{containerId}}"}"""),
            (HttpMethod.Post, $"/v2/tags/{containerId}", $$"""{"Tag":"moved","ImageID":"{{imageId}}","Arch":"amd64"}"""),
            (HttpMethod.Delete, "/v1/images/cookievictim/lab/app:latest?arch=amd64", null),
        };
        foreach (var (method, path, json) in writes)
        {
            var request = new HttpRequestMessage(method, path);
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            var response = await browser.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{method} {path}: {await response.Content.ReadAsStringAsync()}");
        }
        var status = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/token-status"));
        status.StatusCode.ShouldBe(HttpStatusCode.NotFound, "no token given, whatever the cookie");

        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        (await db.Entities.AnyAsync(e => e.Name == "cookiemade")).ShouldBeFalse();
        (await db.Images.CountAsync(i => i.ContainerId == containerId)).ShouldBe(1);
        (await db.Tags.AnyAsync(t => t.ContainerId == containerId && t.Name == "moved")).ShouldBeFalse();
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task A_json_body_sent_as_another_type_is_refused_with_415(string contentType)
    {
        var (_, token) = await factory.CreateUserAsync("typed" + Math.Abs(contentType.GetHashCode() % 10000));
        var http = factory.Client(token);
        var name = "made" + Guid.NewGuid().ToString("N")[..8];
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""{"name":"{{name}}"}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var response = await http.PostAsync("/v1/entities", content);
        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        (await response.Content.ReadAsStringAsync()).ShouldStartWith("""{"error":{"code":415,""");
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        (await db.Entities.AnyAsync(e => e.Name == name)).ShouldBeFalse();
    }

    [Theory]
    [InlineData(null)] // the apptainer client sends no Content-Type
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/vnd.registry+json")]
    public async Task Json_or_no_declared_type_is_accepted(string? contentType)
    {
        var (user, token) = await factory.CreateUserAsync("json" + Guid.NewGuid().ToString("N")[..8]);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""{"name":"{{user.UserName}}"}"""));
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var response = await factory.Client(token).PostAsync("/v1/entities", content);
        // Read and understood: a user's entity exists from sign-up.
        (await response.Content.ReadAsStringAsync()).ShouldBe($$$"""{"error":{"code":409,"message":"entity {{{user.UserName}}} already exists"}}""");
    }

    private async Task<BrowserSession> SignedInAdminAsync(string name)
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
            (await users.CreateAsync(new RegistryUser { UserName = name, IsAdmin = true }, Password)).Succeeded.ShouldBeTrue();
        }
        var browser = new BrowserSession(factory.BaseAddress);
        (await LocalSignIn.SignInAsync(browser, name, Password)).Address.AbsolutePath.ShouldBe("/");
        return browser;
    }
}
