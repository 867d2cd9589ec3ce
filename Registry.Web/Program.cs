using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Registry.Core;
using Registry.Core.Data;
using Registry.Web.Admin;
using Registry.Web.Api;
using Registry.Web.Hosting;
using Registry.Web.Security;

// One program, two uses: the server, or `admin …` commands against the same data folder.
var isAdminCommand = args.Length > 0 && args[0] == "admin";
// Content root = the build output, where the one appsettings.json (top of the repo) is copied; the data folder stays
// relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.UseStaticWebAssets();
if (isAdminCommand) AdminCli.QuietLogging(builder.Logging);

builder.Services.AddRegistryCore(builder.Configuration);
builder.Services.AddSingleton<SignedUrls>().AddSingleton<CatalogueCache>();
builder.Services.AddSingleton<Registry.Web.Api.Oci.OciTokens>().AddSingleton<Registry.Web.Api.Oci.OciSessions>();
builder.Services.AddTransient<IStartupFilter, CollapseApiSlashes>();
builder.Services.AddRegistryRateLimits(builder.Configuration);
builder.Services.AddRegistryReverseProxy(builder.Configuration);
builder.Services.AddApiDocs();
// Snackbars bottom-right: at the top they covered the app bar's Sign out button.
builder.Services.AddMudServices(mud => mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddRegistryAccounts(builder.Configuration);
builder.ConfigureRegistryKestrel();

var app = builder.Build();
// A restore writes the database file itself: nothing may open (or create) it first.
if (isAdminCommand && args is [_, "restore", .. var restoreArgs]) return await BackupCommands.RestoreAsync(app.Services, restoreArgs);
await app.MigrateDatabaseAsync();
if (isAdminCommand)
{
    app.Services.GetRequiredService<WriteGeneration>().SignalWritesTo(app.Services.GetRequiredService<IOptions<RegistryOptions>>().Value.WriteSignalFile);
    return await AdminCli.RunAsync(app.Services, args[1..]);
}
await app.RunServerChoresAsync();

app.UseRegistryPipeline();
app.MapRegistryEndpoints();
app.Run();
return 0;
