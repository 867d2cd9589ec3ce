using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;

namespace Registry.Core.Keys;

/// <summary>
/// Who controls a stored key, beyond its uploader: the account whose verified e-mail address is in one of the key's
/// self-signed user ids. Only the private key's holder can make such a user id, and only the address's holder can have it
/// verified, so the two are taken to be one person. Verified is Identity's <c>EmailConfirmed</c>: set when an administrator
/// gives the address (<c>admin user add --email</c>) or when the confirmation link sent to it is opened; an address typed
/// in at sign-up proves nothing. Such an account becomes the key's owner on its next push and may delete the key.
/// </summary>
public static class KeyOwnership
{
    /// <summary>The actor's verified e-mail address, or null (none, unverified, or not a signed-in user).</summary>
    public static async Task<string?> VerifiedEmailAsync(RegistryDbContext db, Actor actor, CancellationToken ct) =>
        actor.UserId is null ? null
            : await db.Users.Where(u => u.Id == actor.UserId && u.EmailConfirmed && u.Email != null).Select(u => u.Email).FirstOrDefaultAsync(ct);

    /// <summary>Whether a self-signed user id of <paramref name="key"/> (<see cref="PublicKey.Uids"/> holds only those) carries <paramref name="email"/>.</summary>
    public static bool Proves(string? email, PublicKey key) =>
        !string.IsNullOrWhiteSpace(email) && key.UidList.Any(uid => string.Equals(AddressOf(uid), email.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Keys whose user ids may carry <paramref name="email"/>, in any case (<see cref="Proves"/> decides).</summary>
    public static IQueryable<PublicKey> Mentioning(IQueryable<PublicKey> keys, string email) =>
        keys.Where(k => Data.RegistryDbContext.Fold(k.Uids).Contains(email.Trim().ToLowerInvariant()));

    /// <summary>The address of a user id <c>Name (comment) &lt;address&gt;</c>, or of one that is a bare address.</summary>
    public static string? AddressOf(string uid)
    {
        var (open, close) = (uid.LastIndexOf('<'), uid.LastIndexOf('>'));
        if (open >= 0 && close > open) return uid[(open + 1)..close].Trim();
        return uid.Contains('@') && !uid.Trim().Contains(' ') ? uid.Trim() : null;
    }
}
