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
using Registry.Tests.Infrastructure;
using Registry.Web.Api;

namespace Registry.Tests.Api;

/// <summary>
/// The real application in the test process on Kestrel (127.0.0.1, a free port) with its own SQLite file (or
/// PostgreSQL database: <see cref="PostgresApiFactory"/>) and data folder: the one in-process test host. A test class that needs other settings or services declares a one-line
/// fixture, <c>public sealed class PrivateOnlyFactory() : RegistryApiFactory(new() { ["Registry:PrivateOnly"] = "true" });</c>
/// (xunit builds class fixtures through their one public constructor); a test that starts hosts itself calls
/// <see cref="With"/>.
/// </summary>
public class RegistryApiFactory : WebApplicationFactory<Program>
{
    private readonly HostSetup _options;
    private readonly bool _ownsData;
    private readonly string? _postgres;

    public string DataPath { get; }

    public RegistryApiFactory() : this(new HostSetup()) { }

    protected RegistryApiFactory(HostSetup options)
    {
        _options = options;
        _ownsData = options.DataPath is null;
        DataPath = options.DataPath ?? Directory.CreateTempSubdirectory("registry-api-").FullName;
        if (options.Database == Registry.Core.DatabaseProvider.PostgreSql)
            _postgres = PostgresServer.GetAsync().GetAwaiter().GetResult().CreateDatabaseAsync().GetAwaiter().GetResult();
        UseKestrel();
        StartServer();
    }

    /// <summary>A started host with <paramref name="options"/>; on a kept data folder, disposing it and starting another is a restart.</summary>
    public static RegistryApiFactory With(HostSetup options) => new(options);

    /// <summary>Where Kestrel listens (a free port on 127.0.0.1).</summary>
    public Uri BaseAddress => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Registry:DataPath", DataPath);
        builder.UseSetting("Registry:MultipartPartSize", (5 * 1024 * 1024).ToString());
        builder.UseEnvironment("Production");
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Accounts:TermsVersion", "0"); // API tests exercise the protocol; TermsTests turns terms on
        if (_postgres is not null)
        {
            builder.UseSetting("Registry:Database", "PostgreSql");
            builder.UseSetting("Registry:DatabaseConnection", _postgres);
        }
        foreach (var (key, value) in _options.Settings) builder.UseSetting(key, value);
        if (_options.Services is { } replace) builder.ConfigureServices(replace);
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        // WebApplicationFactory adds Kestrel, with its own memory pool, after Program ran: put the registry's back last.
        builder.ConfigureServices(LargeBlockMemoryPool.ReplaceKestrels);
        return base.CreateHost(builder);
    }

    /// <summary>An HttpClient on real HTTP; optional bearer token spelled the way gen-A clients do.</summary>
    public HttpClient Client(string? token = null) => TestHttp.Client(BaseAddress, token);

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
        if (_postgres is not null) PostgresServer.GetAsync().GetAwaiter().GetResult().DropDatabaseAsync(_postgres).GetAwaiter().GetResult();
        if (!_ownsData) return;
        try { Directory.Delete(DataPath, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The same host on its own database of the run's PostgreSQL server: the fixture of the <c>…OnPostgres</c> test classes.</summary>
public sealed class PostgresApiFactory() : RegistryApiFactory(new HostSetup { Database = Registry.Core.DatabaseProvider.PostgreSql });
