using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Registry.Core.Identity;

namespace Registry.Web.Components.Account;

/// <summary>
/// A circuit's sign-in, checked against the account's security stamp (changed when the account is disabled or demoted)
/// as soon as <see cref="AccountChanges"/> announces a change to it, and every minute besides (changes made by the
/// admin command line or another node). A sign-in that no longer holds becomes anonymous at once.
/// </summary>
internal sealed class IdentityRevalidatingAuthenticationStateProvider : RevalidatingServerAuthenticationStateProvider
{
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly IOptions<IdentityOptions> _options;
    private readonly AccountChanges _changes;
    private readonly ILogger _log;

    public IdentityRevalidatingAuthenticationStateProvider(ILoggerFactory loggerFactory, IServiceScopeFactory scopeFactory,
        IOptions<IdentityOptions> options, AccountChanges changes) : base(loggerFactory)
    {
        (_scopeFactory, _options, _changes) = (scopeFactory, options, changes);
        _log = loggerFactory.CreateLogger<IdentityRevalidatingAuthenticationStateProvider>();
        _changes.Changed += OnAccountChanged;
    }

    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        // A new scope, so the user is read fresh from the database.
        await using var scope = _scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
        var user = await users.GetUserAsync(state.User);
        if (user is null || user.IsDisabled) return false;
        if (!users.SupportsUserSecurityStamp) return true;
        return state.User.FindFirstValue(_options.Value.ClaimsIdentity.SecurityStampClaimType) == await users.GetSecurityStampAsync(user);
    }

    private async void OnAccountChanged(string userId)
    {
        try
        {
            var state = await GetAuthenticationStateAsync();
            if (state.User.FindFirstValue(ClaimTypes.NameIdentifier) != userId) return;
            if (await ValidateAuthenticationStateAsync(state, CancellationToken.None)) return;
            NotifyAuthenticationStateChanged(Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()))));
        }
        catch (Exception e) // an event handler: nothing above it to catch; the periodic check still runs
        {
            _log.LogWarning(e, "could not revalidate the sign-in of user {User} after a change to the account", userId);
        }
    }

    protected override void Dispose(bool disposing)
    {
        _changes.Changed -= OnAccountChanged;
        base.Dispose(disposing);
    }
}
