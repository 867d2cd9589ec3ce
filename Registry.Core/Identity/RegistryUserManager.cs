using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Registry.Core.Identity;

/// <summary>
/// Identity's user manager, except that an e-mail address names an account only when exactly one account has it.
/// E-mail is optional and unique for new and changed addresses (<see cref="UniqueEmailValidator"/>), but a database from
/// before that rule may hold two accounts with one address: the store's lookup threw on those, and the sign-in and
/// password pages answered 500. Such an address now names no account, so every page treats it as unknown.
/// </summary>
public sealed class RegistryUserManager(
    IUserStore<RegistryUser> store, IOptions<IdentityOptions> options, IPasswordHasher<RegistryUser> passwordHasher,
    IEnumerable<IUserValidator<RegistryUser>> userValidators, IEnumerable<IPasswordValidator<RegistryUser>> passwordValidators,
    ILookupNormalizer keyNormalizer, IdentityErrorDescriber errors, IServiceProvider services, ILogger<UserManager<RegistryUser>> logger)
    : UserManager<RegistryUser>(store, options, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    public override async Task<RegistryUser?> FindByEmailAsync(string email)
    {
        ThrowIfDisposed();
        var normalized = NormalizeEmail(email);
        if (string.IsNullOrEmpty(normalized)) return null;
        var matches = await Users.Where(u => u.NormalizedEmail == normalized).Take(2).ToListAsync(CancellationToken);
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>
    /// The user's authenticator key, made on the first call. Unlike <see cref="UserManager{TUser}.ResetAuthenticatorKeyAsync"/>
    /// (which replaces a key, so it ends the sign-ins made with the old one) this keeps the security stamp: there was no key,
    /// so no sign-in depended on one, and the page that shows the new key must stay signed in to check the first code.
    /// </summary>
    public async Task<string> EnsureAuthenticatorKeyAsync(RegistryUser user)
    {
        ThrowIfDisposed();
        if (await GetAuthenticatorKeyAsync(user) is { Length: > 0 } existing) return existing;
        var store = Store as IUserAuthenticatorKeyStore<RegistryUser> ?? throw new NotSupportedException("the user store keeps no authenticator keys");
        var key = GenerateNewAuthenticatorKey();
        await store.SetAuthenticatorKeyAsync(user, key, CancellationToken);
        var updated = await UpdateUserAsync(user);
        if (!updated.Succeeded) throw new InvalidOperationException(string.Join(" ", updated.Errors.Select(e => e.Description)));
        return key;
    }
}
