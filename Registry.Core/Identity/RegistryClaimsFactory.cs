using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Registry.Core.Identity;

/// <summary>Adds the <c>admin</c> role claim to signed-in admins, so pages and Core see the same truth.</summary>
public sealed class RegistryClaimsFactory(UserManager<RegistryUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<RegistryUser>(users, options)
{
    public const string AdminRole = "admin";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(RegistryUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.IsAdmin) identity.AddClaim(new Claim(ClaimTypes.Role, AdminRole));
        return identity;
    }
}
