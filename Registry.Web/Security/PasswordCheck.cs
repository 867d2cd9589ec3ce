using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Registry.Core.Identity;

namespace Registry.Web.Security;

/// <summary>
/// The sign-in form's password check, the same work for every name typed: an unknown name or an account without a password
/// is checked against a stand-in hash, so a wrong password costs one hash either way and its answer time tells no one
/// which names exist (unknown names used to answer in a fraction of the time).
/// </summary>
public static class PasswordCheck
{
    // Made once by the app's own hasher: the same algorithm and iteration count as real hashes.
    private static string? standInHash;

    public static async Task<bool> MatchesAsync(UserManager<RegistryUser> users, RegistryUser? user, string password)
    {
        if (user?.PasswordHash is not null) return await users.CheckPasswordAsync(user, password);
        var nobody = new RegistryUser();
        standInHash ??= users.PasswordHasher.HashPassword(nobody, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        users.PasswordHasher.VerifyHashedPassword(nobody, standInHash, password);
        return false;
    }
}
