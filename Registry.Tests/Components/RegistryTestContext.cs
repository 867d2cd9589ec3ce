using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Entities;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Images;
using Registry.Core.Keys;
using Registry.Core.Search;
using Registry.Core.Storage;
using Registry.Core.Storage.FileSystem;
using Registry.Core.Tags;
using Registry.Core.Teams;
using Registry.Core.Terms;
using Registry.Core.Uploads;
using Registry.Tests.Core;

namespace Registry.Tests.Components;

/// <summary>
/// bunit context for every page: MudBlazor and its providers, the real Core services over a migrated SQLite file,
/// a signed-in user when asked, images pushed through the browser upload service.
/// </summary>
public abstract class RegistryTestContext : BunitContext, IAsyncLifetime
{
    protected TestDatabase Db { get; private set; } = default!;
    protected FixedOptions<AccountOptions> AccountOptions { get; } = new(new AccountOptions());
    private BunitAuthorizationContext _auth = default!;

    public virtual async Task InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync();
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        // The app's own wiring over the test's data folder; then the test's database, clock and options, which tests change.
        Services.AddRegistryCore(new ConfigurationBuilder().AddInMemoryCollection([new("Registry:DataPath", Db.Root)]).Build());
        Services.AddSingleton(Db.Factory);
        Services.AddSingleton(Db.Writes);
        Services.AddSingleton<TimeProvider>(Db.Clock);
        Services.AddSingleton(Db.RegistryOptions);
        Services.AddSingleton<IOptionsMonitor<AccountOptions>>(AccountOptions);
        Services.AddSingleton(new Registry.Core.Identity.AccessTokens.TokenSecrets(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider()));
        _auth = AddAuthorization();
    }

    // MudBlazor's services are only IAsyncDisposable, so the context is disposed asynchronously here, before xunit's Dispose.
    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Db.DisposeAsync();
    }

    protected void SignIn(Actor actor)
    {
        _auth.SetAuthorized(actor.UserName);
        // Roles first: bunit's SetRoles drops claims set before it, and the id claim is what makes the actor.
        if (actor.IsAdmin) _auth.SetRoles(RegistryClaimsFactory.AdminRole);
        _auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, actor.UserId!));
    }

    /// <summary>Renders the MudBlazor providers that popovers, dialogs and snackbars need; dialogs show up in the one returned.</summary>
    protected IRenderedComponent<MudDialogProvider> RenderProviders()
    {
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        return dialogs;
    }

    /// <summary>Waits for the confirmation titled <paramref name="title"/> and clicks its <paramref name="button"/> (Cancel or the action).</summary>
    protected static void Answer(IRenderedComponent<MudDialogProvider> dialogs, string title, string button)
    {
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain(title));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == button).Click();
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldNotContain(title));
    }

    protected async Task<string> CreateCollectionAsync(Actor owner, string name, bool isPrivate = false)
    {
        await using var db = await Db.Factory.CreateDbContextAsync();
        var entityId = await db.Entities.Where(e => e.Name == owner.UserName).Select(e => e.Id).SingleAsync();
        var created = await Services.GetRequiredService<CollectionService>().CreateAsync(owner, entityId, name, "", isPrivate);
        created.Succeeded.ShouldBeTrue(created.Message);
        return created.Value!.Id;
    }

    /// <summary>Pushes <paramref name="sif"/> bytes as <c>owner/collection/container:tag</c> through the browser upload path, in two chunks.</summary>
    protected async Task PushAsync(Actor owner, string collection, string container, string tag, byte[] sif)
    {
        var uploads = Services.GetRequiredService<BrowserUploadService>();
        var started = await uploads.StartAsync(owner, owner.UserName, collection, container, tag, sif.Length, "test image");
        started.Succeeded.ShouldBeTrue(started.Message);
        var half = sif.Length / 2;
        (await uploads.ReceiveAsync(owner, started.Value!.Id, 0, new MemoryStream(sif[..half]))).Succeeded.ShouldBeTrue();
        (await uploads.ReceiveAsync(owner, started.Value.Id, half, new MemoryStream(sif[half..]))).Succeeded.ShouldBeTrue();
        var done = await uploads.FinishAsync(owner, started.Value.Id);
        done.Succeeded.ShouldBeTrue(done.Message);
    }
}
