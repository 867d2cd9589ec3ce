using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
using Registry.Core.Images;
using Registry.Core.Storage;

namespace Registry.Core.Signatures;

/// <summary>Verifying an image's signatures against the keyserver and keeping the verdicts with the image row.</summary>
public static class ImageSignatures
{
    /// <summary>What a push without a verified signature into a collection that accepts only signed images is told.</summary>
    public const string OnlySignedRefusal = "this collection accepts only images signed with a key in this registry's keyserver: " +
        "sign with `apptainer sign` and `apptainer key push` your key";

    /// <summary>The verdicts on the signatures of a seekable SIF stream, against the keys stored now.</summary>
    public static Task<List<SignatureVerdict>> VerifyAsync(RegistryDbContext db, Stream sif, DateTime now, CancellationToken ct) =>
        SignatureVerifier.VerifyAsync(sif, (fingerprint, keyId, token) => FindKeyAsync(db, fingerprint, keyId, token), now, ct);

    /// <summary>As <see cref="VerifyAsync(RegistryDbContext, Stream, DateTime, CancellationToken)"/> on staged bytes, off the caller's thread.</summary>
    public static Task<List<SignatureVerdict>> VerifyStagedAsync(RegistryDbContext db, BlobUpload staged, DateTime now, SignatureChecks checks,
        CancellationToken ct) =>
        Task.Run(async () =>
        {
            checks.Staged();
            await using var file = staged.OpenRead();
            return await VerifyAsync(db, file, now, ct);
        }, ct);

    /// <summary>The verdicts on a stored blob; null when the blob is missing or cannot be read now.</summary>
    public static async Task<List<SignatureVerdict>?> VerifyBlobAsync(RegistryDbContext db, IBlobStore blobs, string hash, DateTime now,
        SignatureChecks checks, CancellationToken ct)
    {
        var digest = new Digest(hash);
        if (!blobs.Exists(digest)) return null;
        try
        {
            return await Task.Run(async () =>
            {
                checks.Stored();
                await using var stream = blobs.OpenRead(digest);
                return await VerifyAsync(db, stream, now, ct);
            }, ct);
        }
        catch (IOException) { return null; } // removed by a concurrent delete, or a disk error: tried again later
    }

    /// <summary>Replaces the image's verdicts (no save); it counts as signed with at least one verified signature.</summary>
    public static async Task StoreAsync(RegistryDbContext db, Image image, IEnumerable<SignatureVerdict> verdicts, DateTime now, CancellationToken ct)
    {
        db.ImageSignatures.RemoveRange(await db.ImageSignatures.Where(s => s.ImageId == image.Id).ToListAsync(ct));
        var rows = verdicts.Select(v => new ImageSignature
        {
            ImageId = image.Id, ObjectId = v.ObjectId, Status = v.Status, Fingerprint = v.Fingerprint, KeyUserId = v.KeyUserId,
            KeyUploader = v.KeyUploader, Detail = v.Detail, CheckedAt = now,
        }).ToList();
        db.ImageSignatures.AddRange(rows);
        image.Signed = rows.Any(r => r.Status == SignatureStatus.Verified);
        image.SignedBy = string.Join(' ', rows.Where(r => r.Status == SignatureStatus.Verified).Select(r => r.Fingerprint).Distinct());
    }

    /// <summary>The stored verdicts of an image, as verdicts (to copy them to another image of the same bytes).</summary>
    public static async Task<List<SignatureVerdict>> OfAsync(RegistryDbContext db, string imageId, CancellationToken ct) =>
        (await db.ImageSignatures.AsNoTracking().Where(s => s.ImageId == imageId).OrderBy(s => s.ObjectId).ToListAsync(ct))
        .Select(s => new SignatureVerdict((uint)s.ObjectId, s.Status, s.Fingerprint, s.Detail, s.KeyUserId, s.KeyUploader)).ToList();

    private static async Task<SigningKey?> FindKeyAsync(RegistryDbContext db, string? fingerprint, ulong keyId, CancellationToken ct)
    {
        var keys = db.PublicKeys.AsNoTracking().Include(k => k.Uploader);
        var id = keyId.ToString("x16");
        var key = fingerprint is not null
            ? await keys.FirstOrDefaultAsync(k => k.Fingerprint == fingerprint, ct)
            : await keys.FirstOrDefaultAsync(k => k.KeyId == id || k.SubkeyIds.Contains(" " + id + " "), ct);
        return key is null ? null : new SigningKey(key.Fingerprint, key.Armored, key.Revoked, key.ExpiresAt, key.UidList.FirstOrDefault(), key.Uploader?.UserName);
    }
}
