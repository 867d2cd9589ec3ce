using Microsoft.EntityFrameworkCore;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Signatures;

namespace Registry.Core.Keys;

/// <summary>What an upload did to one key.</summary>
public enum KeyChange { Added, Merged, Unchanged, Revoked, Claimed }

public sealed record KeyUpload(PublicKey Key, KeyChange Change);

/// <summary>
/// The HKP keyserver's store: uploads by token holders, lookups by anyone (public keys are public), deletion from the web UI. See: docs/keyserver-hkp.md.
/// A key already stored is merged with the upload (user ids, subkeys, signatures) by its owner (first uploader) or an admin;
/// anyone else may add just what the key signed itself, since only the private key's holder can make that. An account that
/// proves control (<see cref="KeyOwnership"/>) takes the key over: its push replaces everything the key did not sign itself.
/// </summary>
public sealed class KeyService(IDbContextFactory<RegistryDbContext> dbFactory, TimeProvider clock, SignatureRefresh signatures)
{
    /// <summary>The most keys <c>op=get</c> returns (the client wants one).</summary>
    public const int MaxResults = 256;

    public async Task<Result<List<KeyUpload>>> AddAsync(Actor actor, string keyText, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("a token is required to add keys: create one at /auth/tokens");
        if (actor.Scope < TokenScope.Write) return Result.Forbidden("this token is read-only (scope read) and cannot add keys: create a token with write scope at /auth/tokens");
        var parsed = KeyParser.Parse(keyText);
        if (!parsed.Succeeded) return parsed.As<List<KeyUpload>>();

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var uploads = new List<KeyUpload>();
        var email = await KeyOwnership.VerifiedEmailAsync(db, actor, ct);
        // Read, merge and store in one write transaction: two uploads of one key merge one after the other instead of
        // both merging into the copy they read and the last one dropping what the first added.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var key in parsed.Value!)
        {
            var stored = await db.PublicKeys.FirstOrDefaultAsync(k => k.Fingerprint == key.Fingerprint, ct);
            if (stored is null)
            {
                key.UploaderId = actor.UserId;
                key.CreatedAt = key.UpdatedAt = now;
                db.PublicKeys.Add(key);
                AuditLog.Record(db, actor, "key.add", "key " + key.Fingerprint);
                uploads.Add(new(key, KeyChange.Added));
                continue;
            }
            var controls = KeyOwnership.Proves(email, stored) || KeyOwnership.Proves(email, key);
            var owns = controls || stored.UploaderId == actor.UserId || actor.IsAdmin;
            PublicKey? merged;
            bool addsWhatOnlyItsUploaderMay;
            try
            {
                merged = controls ? KeyMerges.Replace(stored, key) : owns ? KeyMerges.Merge(stored, key) : KeyMerges.MergeSelfCertified(stored, key);
                // A copy that adds nothing at all is unchanged, whoever sends it.
                addsWhatOnlyItsUploaderMay = merged is null && KeyMerges.Merge(stored, key).Armored != stored.Armored;
            }
            catch (PgpException e) { return Result.Invalid($"key {key.Fingerprint} cannot be merged with the stored copy: {e.Message}"); }
            if (addsWhatOnlyItsUploaderMay)
                return Result.Forbidden($"key {key.Fingerprint} was uploaded by another user: only they or an admin can add what the key did not sign itself (what it signed counts from anyone: its revocation, user ids, subkeys, new expiry)");
            merged ??= stored;
            if (merged.Armored.Length > AddKeyRequest.MaxChars)
                return Result.Invalid($"key {key.Fingerprint} would grow past 1 MiB with this upload's signatures: ask an admin to delete and re-add it");
            var claims = controls && stored.UploaderId != actor.UserId;
            if (merged.Armored == stored.Armored && !claims)
            {
                uploads.Add(new(stored, KeyChange.Unchanged));
                continue;
            }
            var change = merged.Revoked && !stored.Revoked ? KeyChange.Revoked : claims ? KeyChange.Claimed : KeyChange.Merged;
            // When it was first uploaded stays; so does its owner, until the key's holder claims it.
            (merged.UploaderId, merged.CreatedAt, merged.UpdatedAt) = (claims ? actor.UserId : stored.UploaderId ?? actor.UserId, stored.CreatedAt, now);
            db.Entry(stored).CurrentValues.SetValues(merged);
            AuditLog.Record(db, actor, change switch { KeyChange.Revoked => "key.revoke", KeyChange.Claimed => "key.claim", _ => "key.merge" }, "key " + key.Fingerprint);
            uploads.Add(new(merged, change));
        }
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two first uploads of one fingerprint at once (a writer outside this transaction): the primary key lets one win.
            return Result.Conflict("the key was uploaded by another request at the same time: try again");
        }
        // Images signed by a key that changed get their verdicts again (unknown → verified, verified → revoked…).
        foreach (var upload in uploads.Where(u => u.Change != KeyChange.Unchanged)) signatures.KeyChanged(upload.Key.Fingerprint);
        return uploads;
    }

    /// <summary>The keys the actor owns (uploaded, or controls by <see cref="KeyOwnership"/>); every key for an admin (with its uploader).</summary>
    public async Task<List<PublicKey>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keys = db.PublicKeys.AsNoTracking().Include(k => k.Uploader).AsQueryable();
        if (actor.IsAdmin) return await keys.OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Fingerprint).ToListAsync(ct);
        var mine = await keys.Where(k => k.UploaderId == actor.UserId).ToListAsync(ct);
        if (await KeyOwnership.VerifiedEmailAsync(db, actor, ct) is { } email)
            mine.AddRange((await KeyOwnership.Mentioning(keys, email).ToListAsync(ct))
                .Where(k => k.UploaderId != actor.UserId && KeyOwnership.Proves(email, k)));
        return [.. mine.OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Fingerprint)];
    }

    /// <summary>Removes a key from the keyserver: its owner (uploader, or who controls it) or an admin. Not part of HKP, so the web UI and admin CLI only.</summary>
    public async Task<Result<PublicKey>> DeleteAsync(Actor actor, string fingerprint, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("sign in to delete keys");
        var wanted = fingerprint.Trim().ToLowerInvariant();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await db.PublicKeys.FirstOrDefaultAsync(k => k.Fingerprint == wanted, ct);
        // Someone else's key answers like a missing one for non-admins: no difference to probe.
        if (key is null || !await MayDeleteAsync(db, actor, key, ct)) return Result.NotFound(actor.IsAdmin ? $"no key {wanted}" : $"no key {wanted} of yours");
        db.PublicKeys.Remove(key);
        AuditLog.Record(db, actor, "key.delete", "key " + key.Fingerprint);
        await db.SaveChangesAsync(ct);
        signatures.KeyChanged(key.Fingerprint);
        return key;
    }

    private static async Task<bool> MayDeleteAsync(RegistryDbContext db, Actor actor, PublicKey key, CancellationToken ct) =>
        key.UploaderId == actor.UserId || actor.IsAdmin || KeyOwnership.Proves(await KeyOwnership.VerifiedEmailAsync(db, actor, ct), key);

    /// <summary>Keys matching the search (see <see cref="KeySearch"/>), oldest upload first, at most <see cref="MaxResults"/>.</summary>
    public async Task<List<PublicKey>> FindAsync(string search, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await KeySearch.Matching(db.PublicKeys.AsNoTracking(), search)
            .OrderBy(k => k.CreatedAt).ThenBy(k => k.Fingerprint).Take(MaxResults).ToListAsync(ct);
    }

    /// <summary>One page of matching keys after <paramref name="after"/>, and where the next page starts (null on the last).</summary>
    public async Task<(List<PublicKey> Keys, KeyPageToken? Next)> FindPageAsync(string search, int pageSize, KeyPageToken? after, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = KeySearch.Matching(db.PublicKeys.AsNoTracking(), search);
        // Keyset paging on (upload time, fingerprint): the token only moves the start, the search filter always applies.
        if (after is not null)
            query = query.Where(k => k.CreatedAt > after.CreatedAt || (k.CreatedAt == after.CreatedAt && string.Compare(k.Fingerprint, after.Fingerprint) > 0));
        var keys = await query.OrderBy(k => k.CreatedAt).ThenBy(k => k.Fingerprint).Take(pageSize + 1).ToListAsync(ct);
        if (keys.Count <= pageSize) return (keys, null);
        keys.RemoveAt(pageSize);
        return (keys, new KeyPageToken(keys[^1].CreatedAt, keys[^1].Fingerprint));
    }
}
