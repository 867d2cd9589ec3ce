using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Registry.Core;
using Registry.Core.Data;
using Registry.Core.Identity;
using Registry.Web.Components.Account;
using Registry.Web.Security;

namespace Registry.Web.Hosting;

/// <summary>Browser sign-in: ASP.NET Identity on the registry's database, its cookie, and the circuits' view of it.</summary>
public static class AccountsHosting
{
    public static IServiceCollection AddRegistryAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        // Data Protection (cookie, antiforgery, token-secret keys in the data folder) is set up by AddRegistryCore.
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        // Each request checks the sign-in cookie against the account (a disabled or demoted account's sign-ins end at once).
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.AddExternalSignIn(configuration);
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddAuthorization();
        services.AddIdentityCore<RegistryUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = false;
                options.User.RequireUniqueEmail = false; // e-mail is optional; UniqueEmailValidator keeps new and changed ones unique
                options.Lockout.MaxFailedAccessAttempts = 5; // counts wrong 2FA codes; wrong passwords lock nothing (see Login)
                options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
            })
            .AddEntityFrameworkStores<RegistryDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<RegistryClaimsFactory>()
            .AddUserManager<RegistryUserManager>()
            .AddUserValidator<UserNameValidator>()
            .AddUserValidator<UniqueEmailValidator>()
            .AddDefaultTokenProviders();
        // UserNameValidator does Identity's user-name checks with the registry's rule: one message each, not two.
        services.Remove(services.Single(d => d.ServiceType == typeof(IUserValidator<RegistryUser>) && d.ImplementationType == typeof(UserValidator<RegistryUser>)));
        services.AddSingleton<IEmailSender<RegistryUser>, IdentityNoOpEmailSender>();
        return services;
    }
}
