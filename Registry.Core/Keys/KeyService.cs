using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;

namespace Registry.Core.Keys;

/// <summary>The HKP keyserver's store: uploads by token holders, lookups by anyone (public keys are public). See: LIBRARY-API.md §12.</summary>
public sealed class KeyService(IDbContextFactory<RegistryDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>The most keys one lookup returns; the HKP index count always equals its pub lines.</summary>
    public const int MaxResults = 256;

    /// <summary>Stores every key ring of the block; a fingerprint already stored is replaced, by its uploader or an admin only.</summary>
    public async Task<Result<List<PublicKey>>> AddAsync(Actor actor, string keyText, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("a token is required to add keys: create one at /auth/tokens");
        if (actor.Scope < TokenScope.Write) return Result.Forbidden("this token is read-only (scope read) and cannot add keys: create a token with write scope at /auth/tokens");
        var parsed = KeyParser.Parse(keyText);
        if (!parsed.Succeeded) return parsed;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var key in parsed.Value!)
        {
            var stored = await db.PublicKeys.FirstOrDefaultAsync(k => k.Fingerprint == key.Fingerprint, ct);
            if (stored is null)
            {
                key.UploaderId = actor.UserId;
                key.CreatedAt = key.UpdatedAt = now;
                db.PublicKeys.Add(key);
            }
            else if (stored.UploaderId != actor.UserId && !actor.IsAdmin)
                return Result.Forbidden($"key {key.Fingerprint} was uploaded by another user: only they or an admin can replace it");
            else
            {
                // The new ring replaces the old one; who uploaded it first and when stay.
                (key.UploaderId, key.CreatedAt, key.UpdatedAt) = (stored.UploaderId ?? actor.UserId, stored.CreatedAt, now);
                db.Entry(stored).CurrentValues.SetValues(key);
            }
            AuditLog.Record(db, actor, stored is null ? "key.add" : "key.replace", "key " + key.Fingerprint);
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two first uploads of one fingerprint at once: the primary key lets one win.
            return Result.Conflict("the key was uploaded by another request at the same time: try again");
        }
        return parsed;
    }

    /// <summary>Keys matching a fingerprint, a key id (0x…, leading zeros optional), an 8-digit short id or text of a user id.</summary>
    public async Task<List<PublicKey>> FindAsync(string search, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.PublicKeys.AsNoTracking();
        var hex = HexOf(search);
        if (hex is { Length: 40 or 64 })
            query = query.Where(k => k.Fingerprint == hex);
        else if (hex is { Length: <= 16 })
        {
            // Signature verification sends the 64-bit key id without leading zeros; key pull may send the 8-digit short id.
            var keyId = hex.PadLeft(16, '0');
            var shortId = hex.Length == 8 ? hex : null;
            query = query.Where(k => k.KeyId == keyId || k.SubkeyIds.Contains(" " + keyId + " ")
                || (shortId != null && (k.KeyId.EndsWith(shortId) || k.SubkeyIds.Contains(shortId + " "))));
        }
        else
        {
            var text = search.Trim().ToLowerInvariant();
            query = query.Where(k => k.Uids.ToLower().Contains(text));
        }
        return await query.OrderBy(k => k.CreatedAt).Take(MaxResults).ToListAsync(ct);
    }

    /// <summary>The HKP machine-readable index (draft-shaw-openpgp-hkp §5.2) of the keys.</summary>
    public static string Index(IReadOnlyList<PublicKey> keys)
    {
        var text = new StringBuilder($"info:1:{keys.Count}\n");
        foreach (var key in keys)
        {
            var created = Unix(key.KeyCreatedAt);
            var expires = key.ExpiresAt is { } at ? Unix(at) : "";
            var flags = (key.Revoked ? "r" : "") + (key.ExpiresAt is { } e && e < DateTime.UtcNow ? "e" : "");
            text.Append($"pub:{key.Fingerprint}:{key.Algorithm}:{key.Bits}:{created}:{expires}:{flags}\n");
            foreach (var uid in key.UidList) text.Append($"uid:{Escape(uid)}:{created}:{expires}:{flags}\n");
        }
        return text.ToString();
    }

    /// <summary>Lowercase hex digits of a <c>0x</c>-prefixed term, or of a bare term of 8, 16, 40 or 64 hex digits; null for text.</summary>
    private static string? HexOf(string search)
    {
        var term = search.Trim();
        var prefixed = term.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (prefixed) term = term[2..];
        if (term.Length == 0 || !term.All(Uri.IsHexDigit)) return null;
        if (!prefixed && term.Length is not (8 or 16 or 40 or 64)) return null;
        return term.Length is <= 16 or 40 or 64 ? term.ToLowerInvariant() : null;
    }

    private static string Unix(DateTime at) => new DateTimeOffset(at, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>%-escapes what would break the colon-separated line: ':', '%', control characters and non-ASCII (as UTF-8 bytes).</summary>
    private static string Escape(string uid)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(uid))
            text.Append(b is < 0x20 or >= 0x7f or (byte)':' or (byte)'%' ? $"%{b:X2}" : ((char)b).ToString());
        return text.ToString();
    }
}
