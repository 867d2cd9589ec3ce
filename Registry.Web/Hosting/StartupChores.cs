using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Storage.SharedFolder;
using Registry.Core.Uploads;
using Registry.Web.Api;

namespace Registry.Web.Hosting;

/// <summary>What runs once before the first request (or the admin command): the database first, then the server's chores.</summary>
public static class StartupChores
{
    /// <summary>Applies migrations.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await DatabaseStartup.MigrateAsync(scope.ServiceProvider.GetRequiredService<RegistryDbContext>());
    }

    /// <summary>The server's chores; the admin command runs none of them (it only signals its writes).</summary>
    public static async Task RunServerChoresAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<RegistryOptions>>().Value;
        // Uploads cut off by a crash or kill: their staged bytes go, their sessions are closed (browser uploads resume).
        // Only when no other node serves this folder: their uploads are live (gc removes whatever expires).
        using (var alone = ServerLease.TryHoldExclusive(options.DataRoot))
            if (alone is not null) await app.Services.GetRequiredService<UploadJanitor>().RecoverAfterRestartAsync();
            else app.Logger.LogInformation("other nodes serve {DataRoot}: their open uploads are left to them", options.DataRoot);
        // Held while serving: admin restore refuses a data folder any node still serves, and a restarting node keeps its hands off.
        var lease = await ServerLease.HoldSharedAsync(options.DataRoot, () => app.Logger.LogInformation(
            "waiting for {Lock}: another node's start-up or an admin restore holds it", ServerLease.PathIn(options.DataRoot)), app.Lifetime.ApplicationStopping);
        app.Lifetime.ApplicationStopped.Register(lease.Dispose);
        // Cached reads (image lookups) drop what the admin CLI changed as soon as it did.
        app.Services.GetRequiredService<WriteGeneration>().WatchWritesOf(options.WriteSignalFile);
        app.Services.GetRequiredService<SignedUrls>().EnsureKey();
        // PrivateOnly holds for collections made public before it was turned on, too.
        var madePrivate = await app.Services.GetRequiredService<CollectionService>()
            .EnforcePrivateOnlyAsync(new Actor("system", "system", true, TokenScope.Admin, Address: "startup"));
        if (madePrivate > 0) app.Logger.LogWarning("Registry:PrivateOnly is on: made {Count} public collections private", madePrivate);
        // A report, not a guard: once the server listens, so its queries' first compilation never delays the first answer.
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => ReportReservedNameClashesAsync(app)));
    }

    /// <summary>Names that now clash with the app's own pages, for an admin to rename.</summary>
    private static async Task ReportReservedNameClashesAsync(WebApplication app)
    {
        try
        {
            await using var scope = app.Services.CreateAsyncScope();
            foreach (var clash in await DatabaseStartup.ReservedNameClashesAsync(scope.ServiceProvider.GetRequiredService<RegistryDbContext>(), app.Lifetime.ApplicationStopping))
                app.Logger.LogWarning("{Clash} uses a name the web UI's own pages use: its page is shadowed; rename it", clash);
        }
        catch (Exception e) when (!app.Lifetime.ApplicationStopping.IsCancellationRequested)
        {
            app.Logger.LogWarning(e, "looking for names that clash with the web UI's pages failed");
        }
        catch (OperationCanceledException) { } // stopped meanwhile
    }
}
