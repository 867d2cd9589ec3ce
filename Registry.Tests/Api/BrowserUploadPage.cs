using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Identity;
using Registry.Tests.SignIn;

namespace Registry.Tests.Api;

/// <summary>What the upload page's script does: the sign-in cookie plus the antiforgery header on every fetch.</summary>
public sealed class BrowserUploadPage(string password = "Pass-word-1") : IDisposable
{
    private readonly CookieContainer _cookies = new();
    private BrowserSession? _session;
    private string _token = "";

    /// <summary>Creates <paramref name="name"/> with a password and a public collection "tools", and signs in.</summary>
    public async Task SignInAsync(RegistryApiFactory factory, string name)
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
            var user = new RegistryUser { UserName = name };
            (await users.CreateAsync(user, password)).Succeeded.ShouldBeTrue();
            await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
            var entityId = await db.Entities.Where(e => e.Name == name).Select(e => e.Id).SingleAsync();
            (await factory.Services.GetRequiredService<CollectionService>().CreateAsync(Actor.ForUser(user.Id, name, false), entityId, "tools", "", false))
                .Succeeded.ShouldBeTrue();
        }
        Reconnect(factory);
        (await LocalSignIn.SignInAsync(_session!, name, password)).Address.AbsolutePath.ShouldBe("/");
        // A form rendered for the signed-in user carries a request token bound to them, as the upload page's does.
        _token = BrowserSession.Hidden((await _session!.GetAsync("/Account/Manage/ChangePassword")).Html, "__RequestVerificationToken");
    }

    /// <summary>Talks to <paramref name="factory"/> from now on; cookies (host-wide, not per port) stay.</summary>
    public void Reconnect(RegistryApiFactory factory)
    {
        _session?.Dispose();
        _session = new BrowserSession(factory.BaseAddress, cookies: _cookies);
    }

    public async Task<string> StartAsync(string entity, string collection, string container, long size) =>
        (await SendAsync(HttpMethod.Post, "/browser-upload", JsonContent.Create(new { entity, collection, container, tag = "v1", size })))["id"]!.GetValue<string>();

    public Task<JsonNode> PutAsync(string id, long offset, byte[] bytes, HttpStatusCode expected = HttpStatusCode.OK) =>
        SendAsync(HttpMethod.Put, $"/browser-upload/{id}/{offset}", new ByteArrayContent(bytes), expected);

    public Task<JsonNode> StatusAsync(string id, HttpStatusCode expected = HttpStatusCode.OK) =>
        SendAsync(HttpMethod.Get, $"/browser-upload/{id}", null, expected);

    public Task<JsonNode> FinishAsync(string id) => SendAsync(HttpMethod.Post, $"/browser-upload/{id}/finish", null);

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, HttpContent? body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body };
        request.Headers.Add("RequestVerificationToken", _token);
        using var response = await _session!.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, text);
        return JsonNode.Parse(text)!;
    }

    public void Dispose() => _session?.Dispose();
}

