using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Registry.Core.Access;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Web.Api;

namespace Registry.Tests.Api;

/// <summary>The real application on Kestrel (127.0.0.1, a free port) with its own SQLite file and data folder.</summary>
public class RegistryApiFactory : WebApplicationFactory<Program>
{
    public string DataPath { get; }
    private readonly bool _ownsData;

    public RegistryApiFactory() : this(null) { }

    /// <param name="dataPath">A data folder the test owns and keeps, to start the registry again on the same bytes; default a fresh one deleted at the end.</param>
    protected RegistryApiFactory(string? dataPath)
    {
        _ownsData = dataPath is null;
        DataPath = dataPath ?? Directory.CreateTempSubdirectory("registry-api-").FullName;
        UseKestrel();
        StartServer();
    }

    /// <summary>Settings a test class needs on top of the defaults (read while the server starts).</summary>
    protected virtual IEnumerable<(string Key, string Value)> ExtraSettings => [];

    /// <summary>Where Kestrel listens (a free port on 127.0.0.1).</summary>
    public Uri BaseAddress => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Registry:DataPath", DataPath);
        builder.UseSetting("Registry:MultipartPartSize", (5 * 1024 * 1024).ToString());
        builder.UseEnvironment("Production");
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Accounts:TermsVersion", "0"); // API tests exercise the protocol; TermsTests turns terms on
        foreach (var (key, value) in ExtraSettings) builder.UseSetting(key, value);
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        // WebApplicationFactory adds Kestrel, with its own memory pool, after Program ran: put the registry's back last.
        builder.ConfigureServices(LargeBlockMemoryPool.ReplaceKestrels);
        return base.CreateHost(builder);
    }

    /// <summary>An HttpClient on real HTTP; optional bearer token spelled the way gen-A clients do.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("BEARER", token);
        return client;
    }

    public async Task<(RegistryUser User, string Token)> CreateUserAsync(string name, bool admin = false, TokenScope scope = TokenScope.Write, string? collectionId = null)
    {
        await using var scope_ = Services.CreateAsyncScope();
        var users = scope_.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
        var user = new RegistryUser { UserName = name, IsAdmin = admin };
        (await users.CreateAsync(user)).Succeeded.ShouldBeTrue();
        user = (await users.FindByNameAsync(name))!;
        var token = await Services.GetRequiredService<AccessTokenService>()
            .CreateAsync(Actor.ForUser(user.Id, name, true), user.Id, "test", scope, collectionId);
        return (user, token.Value!.Secret);
    }

    public async Task<string> CreateTokenAsync(RegistryUser user, TokenScope scope, string? collectionId = null)
    {
        var token = await Services.GetRequiredService<AccessTokenService>()
            .CreateAsync(Actor.ForUser(user.Id, user.UserName!, true), user.Id, "extra", scope, collectionId);
        return token.Value!.Secret;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!_ownsData) return;
        try { Directory.Delete(DataPath, recursive: true); } catch (IOException) { }
    }
}
