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
        options.User.RequireUniqueEmail = false;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
    })
    .AddEntityFrameworkStores<RegistryDbContext>()
    .AddSignInManager()
    .AddClaimsPrincipalFactory<RegistryClaimsFactory>()
    .AddUserValidator<UserNameValidator>()
    .AddDefaultTokenProviders();
builder.Services.AddSingleton<IEmailSender<RegistryUser>, IdentityNoOpEmailSender>();

// Image bodies are many GiB and streamed; JSON bodies are capped where they are read (JsonBody). The default minimum
// body data rate (240 B/s after 5 s) stays: it only drops stalled clients. 2 MiB of request buffer per connection lets the
// socket keep filling while the upload loop hashes and writes its 1 MiB buffers (Kestrel's default is 1 MiB); the socket
// reads 64 KiB at a time into it (LargeBlockMemoryPool).
LargeBlockMemoryPool.ReplaceKestrels(builder.Services);
builder.WebHost.ConfigureKestrel(k =>
{
    k.Limits.MaxRequestBodySize = null;
    k.Limits.MaxRequestBufferSize = 2 * 1024 * 1024;
});

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
    await DatabaseStartup.MigrateAsync(scope.ServiceProvider.GetRequiredService<RegistryDbContext>());

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
app.UseRegistryRateLimits();
app.UseLibraryApiPlumbing();
// The web UI's error and not-found pages; API paths have their JSON envelope from the plumbing above.
app.UseWhen(c => !LibraryApi.IsApiPath(c.Request.Path), web =>
{
    web.UseExceptionHandler(new ExceptionHandlerOptions
    {
        ExceptionHandlingPath = "/Error",
        CreateScopeForErrors = true,
        // A full disk is the administrators' to fix, not a bug: 507, and /Error says what happened.
        StatusCodeSelector = e => StorageFull.Is(e) ? StatusCodes.Status507InsufficientStorage : StatusCodes.Status500InternalServerError,
    });
    web.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
});
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
