using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Identity;
using Registry.Core.Images;
using Registry.Core.Search;
using Registry.Core.Storage;
using Registry.Core.Tags;
using Registry.Core.Uploads;
using Registry.Tests.Core;

namespace Registry.Tests.Components;

/// <summary>bunit context for the browsing pages: MudBlazor, real Core services over a migrated SQLite file, images pushed through the browser upload service.</summary>
public abstract class BrowseTestContext : BunitContext, IAsyncLifetime
{
    protected TestDatabase Db { get; private set; } = default!;
    private BunitAuthorizationContext _auth = default!;

    public virtual async Task InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync();
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddSingleton(Db.Factory);
        Services.AddSingleton<TimeProvider>(Db.Clock);
        Services.AddSingleton(Db.RegistryOptions);
        Services.AddSingleton<IBlobStore>(new FileSystemBlobStore(Db.Root));
        foreach (var type in new[] { typeof(CollectionService), typeof(ContainerService), typeof(ImageService), typeof(TagService), typeof(SearchService),
                                     typeof(StarService), typeof(CollectionBrowser), typeof(BrowserUploadService), typeof(DownloadService) })
            Services.AddSingleton(type);
        _auth = AddAuthorization();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Db.DisposeAsync();
    }

    protected void SignIn(Actor actor)
    {
        _auth.SetAuthorized(actor.UserName);
        _auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, actor.UserId!));
        if (actor.IsAdmin) _auth.SetRoles(RegistryClaimsFactory.AdminRole);
    }

    protected void RenderProviders()
    {
        Render<MudPopoverProvider>();
        Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
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
