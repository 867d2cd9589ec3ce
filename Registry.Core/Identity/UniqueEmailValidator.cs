using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;

namespace Registry.Core.Identity;

/// <summary>
/// E-mail is optional, but a new or changed address must not be another account's (it is a sign-in name and where password
/// resets go). A rule for what changes, not a unique index: a database that already holds two accounts with one address
/// still migrates and starts, and those accounts keep working (<see cref="RegistryUserManager"/> treats the address as naming
/// no one). Identity's own RequireUniqueEmail would make e-mail mandatory and looks the address up with a query that throws on such pairs.
/// </summary>
public sealed class UniqueEmailValidator(RegistryDbContext db) : IUserValidator<RegistryUser>
{
    public async Task<IdentityResult> ValidateAsync(UserManager<RegistryUser> manager, RegistryUser user)
    {
        var email = manager.NormalizeEmail(await manager.GetEmailAsync(user));
        if (string.IsNullOrEmpty(email)) return IdentityResult.Success;
        var stored = await db.Users.AsNoTracking().Where(u => u.Id == user.Id).Select(u => u.NormalizedEmail).FirstOrDefaultAsync();
        if (stored == email) return IdentityResult.Success;
        var taken = await db.Users.AnyAsync(u => u.NormalizedEmail == email && u.Id != user.Id);
        return taken ? IdentityResult.Failed(manager.ErrorDescriber.DuplicateEmail(user.Email ?? "")) : IdentityResult.Success;
    }
}
