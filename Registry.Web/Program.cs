using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Storage;
using Registry.Core.Uploads;
using Registry.Web.Admin;
using Registry.Web.Api;
using Registry.Web.Components;
using Registry.Web.Components.Account;
using Registry.Web.Components.Pages.Containers;
using Registry.Web.Components.Pages.Upload;
using Registry.Web.Security;

var isAdminCommand = args.Length > 0 && args[0] == "admin";
// Content root = the build output, where the one appsettings.json (top of the repo) is copied; the data folder stays relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.UseStaticWebAssets();
if (isAdminCommand) AdminCli.QuietLogging(builder.Logging);

builder.Services.AddRegistryCore(builder.Configuration);
builder.Services.AddSingleton<SignedUrls>();
builder.Services.AddTransient<IStartupFilter, CollapseApiSlashes>();
// Cookie and antiforgery keys live in the data folder too: nothing is written elsewhere, and sign-ins survive restarts.
builder.Services.AddDataProtection().SetApplicationName("Registry")
    .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(
        builder.Configuration.GetSection(RegistryOptions.SectionName).Get<RegistryOptions>()?.DataRoot ?? new RegistryOptions().DataRoot, "keys", "data-protection")));
builder.Services.AddRegistryRateLimits(builder.Configuration);
builder.Services.AddApiDocs();
// Snackbars bottom-right: at the top they covered the app bar's Sign out button.
builder.Services.AddMudServices(mud => mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
builder.Services.AddRazorComponents().AddInteractiveServerComponents();

builder.Services.AddCascadingAuthenticationState();
builder.Services.AddScoped<IdentityRedirectManager>();
builder.Services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
// Each request checks the sign-in cookie against the account (a disabled or demoted account's sign-ins end at once).
builder.Services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);
builder.Services.AddAuthentication(options =>
    {
        options.DefaultScheme = IdentityConstants.ApplicationScheme;
        options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
    })
    .AddIdentityCookies();
builder.Services.AddExternalSignIn(builder.Configuration);
builder.Services.ConfigureApplicationCookie(cookie =>
{
    cookie.Cookie.HttpOnly = true;
    cookie.Cookie.SameSite = SameSiteMode.Lax;
    cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
});
builder.Services.AddAuthorization();
builder.Services.AddIdentityCore<RegistryUser>(options =>
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
builder.Services.AddSingleton<IEmailSender<RegistryUser>, IdentityNoOpEmailSender>();

// Every body is capped at 1 MiB as Kestrel reads it (BodyLimits); the endpoints that stream image bytes (many GiB) lift
// the cap for themselves. The default minimum body data rate (240 B/s after 5 s) stays: it only drops stalled clients.
// 2 MiB of request buffer per connection lets the socket keep filling while the upload loop hashes and writes its 1 MiB
// buffers (Kestrel's default is 1 MiB); the socket reads 64 KiB at a time into it (LargeBlockMemoryPool).
LargeBlockMemoryPool.ReplaceKestrels(builder.Services);
builder.WebHost.ConfigureKestrel(k =>
{
    k.Limits.MaxRequestBodySize = BodyLimits.Default;
    k.Limits.MaxRequestBufferSize = 2 * 1024 * 1024;
});

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
    await DatabaseStartup.MigrateAsync(db);
    foreach (var clash in await DatabaseStartup.ReservedNameClashesAsync(db))
        app.Logger.LogWarning("{Clash} uses a name the web UI's own pages use: its page is shadowed; rename it", clash);
}

var registryOptions = app.Services.GetRequiredService<IOptions<RegistryOptions>>().Value;
if (isAdminCommand)
{
    WriteTracker.SignalWritesTo(registryOptions.WriteSignalFile);
    return await AdminCli.RunAsync(app.Services, args[1..]);
}
// Cached reads (image lookups) drop what the admin CLI changed as soon as it did.
WriteTracker.WatchWritesOf(registryOptions.WriteSignalFile);

// Uploads cut off by a crash or kill: their temp files go, their sessions are closed.
await app.Services.GetRequiredService<UploadService>().RecoverAfterRestartAsync();
app.Services.GetRequiredService<SignedUrls>().EnsureKey();
// PrivateOnly holds for collections made public before it was turned on, too.
var madePrivate = await app.Services.GetRequiredService<CollectionService>()
    .EnforcePrivateOnlyAsync(new Actor("system", "system", true, TokenScope.Admin, Address: "startup"));
if (madePrivate > 0) app.Logger.LogWarning("Registry:PrivateOnly is on: made {Count} public collections private", madePrivate);

app.UseSecurityHeaders();
app.UseHostValidation();
// The web UI's error and not-found pages. On the main pipeline, not in a UseWhen branch: a branch has no routing of its
// own, so re-executing /Error there found no page and answered an empty 500. API paths get their JSON envelope first
// from the plumbing's own handlers further in, and these then leave the answered response alone.
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    ExceptionHandlingPath = "/Error",
    CreateScopeForErrors = true,
    // A full disk is the administrators' to fix, not a bug: 507, and /Error says what happened.
    StatusCodeSelector = e => StorageFull.Is(e) ? StatusCodes.Status507InsufficientStorage : StatusCodes.Status500InternalServerError,
});
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
// The API's caller is known (a verified token, or anonymous) before the limiter counts it, and refused after.
app.UseLibraryApiPlumbing();
app.UseRegistryRateLimits();
app.UseLibraryApiRefusals();
app.UseAntiforgery();
app.UseApiDocs();

app.MapLibraryApi(app.Services.GetRequiredService<IOptions<RegistryOptions>>().Value.MultipartEnabled);
app.MapStaticAssets();
app.MapImageDownloads();
app.MapBrowserUploads();
// SecurityHeaders sets the whole CSP (frame-ancestors 'none') on every response: no second, laxer one from Blazor.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
app.MapAdditionalIdentityEndpoints();

app.Run();
return 0;
