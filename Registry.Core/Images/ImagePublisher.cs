using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Signatures;
using Registry.Core.Storage;

namespace Registry.Core.Images;

/// <summary>What the SIF header of uploaded bytes says, read once before they are published.</summary>
public sealed record SifInspection(string? Arch, SifMetadata Metadata);

/// <summary>
/// The one place where uploaded bytes become a visible image, for every way an image arrives (Library API single and
/// multipart, legacy v1, browser upload). The bytes come verified against the image's SHA-256; here the SIF header is
/// checked, the quota is checked against their real size, the staged bytes become a blob and the image is marked uploaded,
/// in that order, so nothing half-done is ever visible.
/// </summary>
public sealed class ImagePublisher(IOptions<RegistryOptions> options, SignatureRefresh refresh, SignatureChecks checks)
{
    /// <summary>Reads the header of staged bytes; a failure says why they are not a publishable SIF.</summary>
    public static Result<SifInspection> Inspect(BlobUpload staged)
    {
        using var file = staged.OpenRead();
        var arch = Architectures.ReadFromSif(file);
        var meta = SifReader.Read(file, out var problem);
        return meta is null ? Result.Invalid(problem!) : new SifInspection(arch, meta);
    }

    /// <summary>
    /// Publishes the <paramref name="staged"/> bytes as <paramref name="imageId"/>, which they must hash to. Answers
    /// false when another upload of the same image published it first (the bytes are the same: they are dropped). A
    /// quota exceeded is 507 and changes nothing; the caller decides what becomes of the staged bytes then.
    /// <paramref name="verified"/>: the verdicts already taken on these same bytes (the <c>/v2/</c> gate, before any row
    /// existed), used as they are so the bytes are read for signatures once.
    /// </summary>
    public async Task<Result<bool>> PublishAsync(RegistryDbContext db, Actor actor, string imageId, BlobUpload staged, SifInspection sif,
        string via, CancellationToken ct, IReadOnlyList<SignatureVerdict>? verified = null)
    {
        var image = await db.Images.Include(i => i.Container).ThenInclude(c => c!.Collection).ThenInclude(c => c!.Entity)
            .FirstAsync(i => i.Id == imageId, ct);
        if (image.Uploaded)
        {
            staged.Discard();
            return false;
        }
        var bytes = await staged.DigestAsync(ct); // read nothing: the upload's running hash covers it
        var c = image.Container!;
        var entity = c.Collection!.Entity!;

        // Signatures (issue 15). Verifying re-reads the signed objects (the partition: about the time the upload's own hash
        // took), so only a collection that accepts only signed images waits for it, before the write transaction. Elsewhere
        // a SIF with signature objects is published at once, not verified yet (Signed null: "signatures not checked yet",
        // never shown as signed), and verified right after in the background; one without is unsigned now (nothing to hash).
        // Verdicts the /v2/ gate took on these same bytes are used as they are: the bytes are read for signatures once.
        var signatures = verified;
        if (signatures is null && (c.Collection.OnlySigned || !sif.Metadata.Signed))
            signatures = await ImageSignatures.VerifyStagedAsync(db, staged, DateTime.UtcNow, checks, ct);
        if (c.Collection.OnlySigned && !signatures!.Any(v => v.Status == SignatureStatus.Verified))
            return Result.Forbidden(ImageSignatures.OnlySignedRefusal);

        // The quota and the flip to uploaded in one write transaction (SQLite's BEGIN IMMEDIATE): two pushes that each
        // fit alone can't both pass on usage counted before the other's publish.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var (usage, quota) = await EntityService.UsageAsync(db, entity, options.Value, ct, publishing: bytes.Digest.Hex);
        if (quota > 0 && usage + bytes.Length > quota)
            return Result.InsufficientStorage($"quota exceeded: {entity.Name} uses {usage} of {quota} bytes and this image needs {bytes.Length} more");
        await db.Entry(image).ReloadAsync(ct);
        if (image.Uploaded)
        {
            staged.Discard(); // published by a concurrent upload of the same image while we waited
            return false;
        }

        if (await staged.CommitAsync(new Digest(image.Hash), ct) == BlobCommit.DigestMismatch)
            throw new InvalidOperationException("publishing bytes that are not the image's"); // callers verify first
        if (!await db.Blobs.AnyAsync(b => b.Hash == bytes.Digest.Hex, ct))
            db.Blobs.Add(new Blob { Hash = bytes.Digest.Hex, Size = bytes.Length });
        await ImageLabels.StoreAsync(db, image, sif.Metadata.Labels, ct);
        image.Arch ??= sif.Arch;
        if (signatures is not null) await ImageSignatures.StoreAsync(db, image, signatures, DateTime.UtcNow, ct);
        else (image.Signed, image.SignedBy) = (null, "");
        image.Size = bytes.Length;
        image.Uploaded = true;
        c.AwaitingFirstImage = false;
        image.UploadedAt = image.UpdatedAt = DateTime.UtcNow;
        AuditLog.Record(db, actor, "image.push", $"{entity.Name}/{c.Collection.Name}/{c.Name}", c.CollectionId,
            $"sha256.{image.Hash} {image.Arch} {image.Size} bytes{via}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (signatures is null) refresh.VerifyPublished();
        return true;
    }
}
