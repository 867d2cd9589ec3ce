using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Identity;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.SignIn;

/// <summary>The registry with an OpenID Connect provider of its own ("testidp") running beside it on 127.0.0.1.</summary>
public class SignInFactory : RegistryApiFactory
{
    public const string Scheme = "testidp";

    public TestOidcProvider Provider { get; }

    public SignInFactory() : this(new HostSetup()) { }

    /// <param name="mode">Settings of a test class on top of the providers' (registration mode, sign-in limits).</param>
    protected SignInFactory(HostSetup mode) : this(TestOidcProvider.Start(), mode) { }

    // The provider starts first, so its address is known while the registry starts; the registry's address is known after.
    private SignInFactory(TestOidcProvider provider, HostSetup mode) : base(ProviderSettings(provider).With(mode))
    {
        Provider = provider;
        Provider.RegisterClientAsync(BaseAddress, Scheme).GetAwaiter().GetResult();
    }

    private static HostSetup ProviderSettings(TestOidcProvider provider)
    {
        var authority = provider.Authority.ToString();
        var options = new HostSetup
        {
            [$"ExternalSignIn:OpenIdConnect:{Scheme}:Enabled"] = "true",
            [$"ExternalSignIn:OpenIdConnect:{Scheme}:DisplayName"] = "Test SSO",
            [$"ExternalSignIn:OpenIdConnect:{Scheme}:Authority"] = authority,
            [$"ExternalSignIn:OpenIdConnect:{Scheme}:ClientId"] = TestOidcProvider.ClientId,
            [$"ExternalSignIn:OpenIdConnect:{Scheme}:ClientSecret"] = TestOidcProvider.ClientSecret,
            [$"ExternalSignIn:OpenIdConnect:{Scheme}:RequireHttpsMetadata"] = "false",
            ["ExternalSignIn:GitHub:ApiUrl"] = authority,
        };
        // GitHub and GitLab (self-hosted) pointed at the same provider, which answers on their paths.
        foreach (var (site, displayName) in new[] { ("GitHub", "Test GitHub"), ("GitLab", "Lab GitLab") })
        {
            options[$"ExternalSignIn:{site}:Enabled"] = "true";
            options[$"ExternalSignIn:{site}:DisplayName"] = displayName;
            options[$"ExternalSignIn:{site}:BaseUrl"] = authority;
            options[$"ExternalSignIn:{site}:ClientId"] = TestOidcProvider.ClientId;
            options[$"ExternalSignIn:{site}:ClientSecret"] = TestOidcProvider.ClientSecret;
        }
        return options;
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

