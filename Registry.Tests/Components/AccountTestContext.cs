using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
using Registry.Core.Access;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Storage;
using Registry.Core.Collections;
using Registry.Core.Teams;
using Registry.Core.Terms;
using Registry.Tests.Core;

namespace Registry.Tests.Components;

/// <summary>bunit context with MudBlazor, the real Core services over a migrated SQLite file, and a signed-in user when asked.</summary>
public abstract class AccountTestContext : BunitContext, IAsyncLifetime
{
    protected TestDatabase Db { get; private set; } = default!;
    protected FixedOptions<AccountOptions> AccountOptions { get; } = new(new AccountOptions());
    private BunitAuthorizationContext auth = default!;

    public virtual async Task InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync();
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddSingleton(Db.Factory);
        Services.AddSingleton<TimeProvider>(Db.Clock);
        Services.AddSingleton<IOptionsMonitor<AccountOptions>>(AccountOptions);
        Services.AddSingleton(Db.RegistryOptions);
        Services.AddSingleton<IBlobStore>(new FileSystemBlobStore(Db.Root));
        Services.AddSingleton<AccessTokenService>();
        Services.AddSingleton<TermsService>();
        Services.AddSingleton<TeamService>();
        Services.AddSingleton<UserAdminService>();
        Services.AddSingleton<CollectionMembersService>();
        Services.AddSingleton<CollectionService>();
        auth = AddAuthorization();
    }

    // MudBlazor's services are only IAsyncDisposable, so the context is disposed asynchronously here, before xunit's Dispose.
    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Db.DisposeAsync();
    }

    protected void SignIn(Actor actor)
    {
        auth.SetAuthorized(actor.UserName);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, actor.UserId!));
        if (actor.IsAdmin) auth.SetRoles(RegistryClaimsFactory.AdminRole);
    }

    /// <summary>Renders the MudBlazor providers that popovers and snackbars need.</summary>
    protected void RenderProviders()
    {
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
    }
}
