using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Registry.Core.Access;
using Registry.Core.Identity;

namespace Registry.Web.Components.Shared;

/// <summary>The signed-in browser user as the <see cref="Actor"/> that Core services decide with.</summary>
public static class CurrentActor
{
    public static Actor ToActor(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.FindFirstValue(ClaimTypes.NameIdentifier) is { } id
            ? Actor.ForUser(id, user.Identity.Name ?? "", user.IsInRole(RegistryClaimsFactory.AdminRole))
            : Actor.Anonymous;

    public static async Task<Actor> GetActorAsync(this Task<AuthenticationState>? state) =>
        state is null ? Actor.Anonymous : (await state).User.ToActor();
}
