using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;

namespace Registry.Core.Identity;

/// <summary>
/// A user name is also an entity name (<c>library://name/…</c>): it must follow the name rule and not collide with a team.
/// It replaces Identity's own user validator, whose messages contradicted these ("can only contain letters or digits")
/// or repeated them ("already taken" twice).
/// </summary>
public sealed class UserNameValidator(RegistryDbContext db) : IUserValidator<RegistryUser>
{
    public async Task<IdentityResult> ValidateAsync(UserManager<RegistryUser> manager, RegistryUser user)
    {
        var name = user.UserName ?? "";
        if (!Names.IsValid(name) || name.Length > 64)
            return IdentityResult.Failed(new IdentityError { Code = "InvalidUserName", Description = $"User name must be {Names.AccountRule}." });
        if (Names.IsReserved(name) && !await db.Entities.AnyAsync(e => e.Name == name && e.UserId == user.Id))
            return IdentityResult.Failed(new IdentityError { Code = "ReservedUserName", Description = $"'{name}' is a word the registry's own pages use; choose another user name." });
        var taken = await db.Entities.AnyAsync(e => e.Name == name && e.UserId != user.Id)
            || await manager.FindByNameAsync(name) is { } owner && owner.Id != user.Id;
        return taken
            ? IdentityResult.Failed(new IdentityError { Code = "DuplicateUserName", Description = $"The name '{name}' is already taken." })
            : IdentityResult.Success;
    }
}
