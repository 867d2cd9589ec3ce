using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Identity;
using Registry.Tests.Api;
using Registry.Web.Security;

namespace Registry.Tests.SignIn;

/// <summary>The registry with an OpenID Connect provider of its own ("testidp") running beside it on 127.0.0.1.</summary>
public class SignInFactory : RegistryApiFactory
{
    public const string Scheme = "testidp";

    // A field initializer runs before the base constructor starts the registry, so the provider's address is known in time.
    public TestOidcProvider Provider { get; } = TestOidcProvider.Start();

    public SignInFactory() => Provider.RegisterClientAsync(BaseAddress, Scheme).GetAwaiter().GetResult();

    protected virtual IEnumerable<(string Key, string Value)> ModeSettings => [];

    protected sealed override IEnumerable<(string Key, string Value)> ExtraSettings =>
    [
        ($"ExternalSignIn:OpenIdConnect:{Scheme}:Enabled", "true"),
        ($"ExternalSignIn:OpenIdConnect:{Scheme}:DisplayName", "Test SSO"),
        ($"ExternalSignIn:OpenIdConnect:{Scheme}:Authority", Provider.Authority.ToString()),
        ($"ExternalSignIn:OpenIdConnect:{Scheme}:ClientId", TestOidcProvider.ClientId),
        ($"ExternalSignIn:OpenIdConnect:{Scheme}:ClientSecret", TestOidcProvider.ClientSecret),
        ($"ExternalSignIn:OpenIdConnect:{Scheme}:RequireHttpsMetadata", "false"),
        // GitHub and GitLab (self-hosted) pointed at the same provider, which answers on their paths.
        .. OAuthSettings("GitHub", "Test GitHub", ("ApiUrl", Provider.Authority.ToString())),
        .. OAuthSettings("GitLab", "Lab GitLab"),
        .. ModeSettings,
    ];

    private IEnumerable<(string Key, string Value)> OAuthSettings(string provider, string displayName, params (string Key, string Value)[] more) =>
    [
        ($"ExternalSignIn:{provider}:Enabled", "true"),
        ($"ExternalSignIn:{provider}:DisplayName", displayName),
        ($"ExternalSignIn:{provider}:BaseUrl", Provider.Authority.ToString()),
        ($"ExternalSignIn:{provider}:ClientId", TestOidcProvider.ClientId),
        ($"ExternalSignIn:{provider}:ClientSecret", TestOidcProvider.ClientSecret),
        .. more.Select(m => ($"ExternalSignIn:{provider}:{m.Key}", m.Value)),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // A no-op once Program.cs calls it too.
        builder.ConfigureServices((context, services) => services.AddExternalSignIn(context.Configuration));
    }

    public BrowserSession Browser(System.Net.IPAddress? from = null) => new(BaseAddress, from);

    public async Task<RegistryUser> CreateUserWithPasswordAsync(string name, string password, string? email = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
        var user = new RegistryUser { UserName = name, Email = email };
        var created = await users.CreateAsync(user, password);
        created.Succeeded.ShouldBeTrue(string.Join(" ", created.Errors.Select(e => e.Description)));
        return user;
    }

    public async Task DisableAsync(string name)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
        var user = (await users.FindByNameAsync(name)).ShouldNotBeNull();
        user.IsDisabled = true;
        (await users.UpdateAsync(user)).Succeeded.ShouldBeTrue();
    }

    /// <summary>Sets an address straight in the database, past the validators: as a database from before e-mails were unique may hold it.</summary>
    public async Task SetEmailInDatabaseAsync(string name, string email)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        var normalized = email.ToUpperInvariant();
        (await db.Database.ExecuteSqlAsync($"UPDATE AspNetUsers SET Email = {email}, NormalizedEmail = {normalized} WHERE UserName = {name}")).ShouldBe(1);
    }

    /// <summary>Turns on two-factor sign-in (an authenticator key) and returns one recovery code.</summary>
    public async Task<string> EnableTwoFactorAsync(RegistryUser created)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
        var user = (await users.FindByIdAsync(created.Id))!;
        await users.ResetAuthenticatorKeyAsync(user);
        (await users.SetTwoFactorEnabledAsync(user, true)).Succeeded.ShouldBeTrue();
        return (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 1))!.Single();
    }

    public async Task<RegistryUser?> FindUserAsync(string name)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>().FindByNameAsync(name);
    }

    public async Task<int> UserCountAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        return await db.Users.CountAsync();
    }

    public async Task<IList<UserLoginInfo>> LoginsOfAsync(RegistryUser user)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
        return await users.GetLoginsAsync((await users.FindByIdAsync(user.Id))!);
    }

    public async Task<List<AuditEvent>> AuditAsync(string action)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        return await db.AuditEvents.Where(e => e.Action == action).OrderBy(e => e.Id).ToListAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Provider.DisposeAsync();
    }
}

