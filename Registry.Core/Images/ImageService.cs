using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Signatures;
using Registry.Core.Storage;

namespace Registry.Core.Images;

public sealed class ImageService(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, WriteGeneration writes, SignatureRefresh signatures)
{
    private readonly ImageLookup lookup = new(writes);

    /// <summary>
    /// Resolves a ref the way pull and push do. See: docs/library-api.md §Images — a hash ignores arch; else the arch's tag;
    /// else (no arch) the most recently set tag of that name on any arch.
    /// </summary>
    public async Task<Result<ResolvedImage>> ResolveAsync(Actor actor, ImageRef reference, string? arch, bool requireUploaded, CancellationToken ct = default)
    {
        if (!string.IsNullOrEmpty(arch) && !Architectures.IsKnown(arch)) return Result.Invalid($"unknown architecture '{arch}'");
        var image = await lookup.FindAsync(dbFactory, reference, arch, ct);
        if (image is null || !image.AccessFor(actor).CanView || (requireUploaded && !image.Uploaded)) return NotFound(reference, arch);
        return image;
    }

    /// <summary><c>POST /v1/images</c>: a new version of a container, uploaded at once (no transfer) when the caller can already read the same bytes.</summary>
    public async Task<Result<Image>> CreateAsync(Actor actor, string containerId, string hash, string description, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("a token is required to push");
        if (!Digest.TryParse(hash, out var digest)) return Result.Invalid($"hash must be sha256.<64 lowercase hex>, got '{hash}'");
        if (description.Length > 4096) return Result.Invalid("description is longer than 4096 characters");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var container = await db.Containers.WithAccessGraph().FirstOrDefaultAsync(x => x.Id == containerId, ct);
        var access = container is null ? CollectionAccess.None : AccessRules.For(actor, container.Collection!);
        if (!access.CanView) return Result.NotFound($"container {containerId} not found");
        if (!access.CanPush) return Result.Forbidden(AccessRules.TokenLimit(actor, container!.Collection!) ?? $"{actor.UserName} may not push to {container!.Collection!.Entity!.Name}/{container.Collection.Name}");

        var existing = await db.Images.Include(i => i.Tags).FirstOrDefaultAsync(i => i.ContainerId == containerId && i.Hash == digest.Hex, ct);
        if (existing is not null)
        {
            existing.Container = container;
            return existing;
        }

        var image = new Image
        {
            ContainerId = containerId,
            Hash = digest.Hex,
            Description = description,
            CreatedById = actor.UserId!,
            CreatedByName = actor.UserName,
        };
        // Stored bytes stand in for an upload only when the caller may already read an image of them: a hash is no secret
        // (push prints it, CI logs keep it), so knowing one must not hand out a private image, nor tell that it exists.
        // Anyone else uploads the bytes, which are verified and then stored once.
        // A collection that accepts only signed images takes no copy without a verified signature: the upload is refused at publish.
        if (await ReadableCopyAsync(db, actor, digest.Hex, ct) is { } copy && blobs.Exists(digest) && (copy.Signed == true || !container!.Collection!.OnlySigned))
        {
            image.Uploaded = true;
            image.Size = copy.Size;
            image.Arch = copy.Arch;
            await ImageSignatures.StoreAsync(db, image, await ImageSignatures.OfAsync(db, copy.Id, ct), DateTime.UtcNow, ct);
            (image.Signed, image.SignedBy) = (copy.Signed, copy.SignedBy); // null: not verified yet, left to the background check like the copy
            image.UploadedAt = DateTime.UtcNow;
            // Unreadable now: left unread for the next start's backfill.
            if (await ImageLabels.OfCopyAsync(db, blobs, copy, ct) is { } labels) await ImageLabels.StoreAsync(db, image, labels, ct);
        }
        db.Images.Add(image);
        container!.UpdatedAt = DateTime.UtcNow;
        if (image.Uploaded) container.AwaitingFirstImage = false;
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) // lost a race: a concurrent push made the same image, or a delete took the container
        {
            await using var again = await dbFactory.CreateDbContextAsync(ct);
            var made = await again.Images.Include(i => i.Tags).FirstOrDefaultAsync(i => i.ContainerId == containerId && i.Hash == digest.Hex, ct);
            if (made is null) return Result.Conflict($"{container.Collection!.Entity!.Name}/{container.Collection.Name}/{container.Name} was deleted while this push ran: push again");
            made.Container = container;
            return made;
        }
        if (image.Uploaded && image.Signed is null) signatures.VerifyPublished(); // a copy of bytes whose check is pending
        image.Container = container;
        return Result.Created(image);
    }

    /// <summary>
    /// <c>DELETE /v1/images/…</c>: removes the version the ref resolves to and every tag on it; the blob goes when nothing
    /// else uses it, the container when it has no image left.
    /// </summary>
    public async Task<Result<ResolvedImage>> DeleteAsync(Actor actor, ImageRef reference, string? arch, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("a token is required to delete");
        var resolved = await ResolveAsync(actor, reference, arch, requireUploaded: false, ct);
        if (!resolved.Succeeded) return resolved;
        var image = resolved.Value!;
        var container = image.Container;
        if (!image.AccessFor(actor).CanPush) return Result.Forbidden(image.TokenLimit(actor) ?? $"{actor.UserName} may not delete images in {container.EntityName}/{container.CollectionName}");
        if (image.Tags.Any(t => t.Frozen))
            return Result.Forbidden($"{reference} has a frozen tag ({string.Join(",", image.Tags.Where(t => t.Frozen).Select(t => t.Name))}); unfreeze it first");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Images.Where(i => i.Id == image.Id).ExecuteDeleteAsync(ct);
        // The container goes with its last image (an empty one only clutters the pages), unless it holds container images
        // or artifacts pushed through /v2/ (they would go with it). One statement, so an image a concurrent push has just
        // registered keeps its container.
        await db.Containers.Where(x => x.Id == container.Id && !db.Images.Any(i => i.ContainerId == x.Id)
            && !db.OciManifests.Any(m => m.ContainerId == x.Id && m.ImageId == null)).ExecuteDeleteAsync(ct);
        writes.Bump();
        AuditLog.Record(db, actor, "image.delete", reference.ToString(), container.CollectionId, $"sha256.{image.Hash} {image.Arch}");
        await db.SaveChangesAsync(ct);
        await BlobHousekeeping.DeleteIfUnusedAsync(db, blobs, image.Hash, ct);
        return image;
    }

    /// <summary>An uploaded image with this hash in a collection the actor may view, if there is one.</summary>
    private static async Task<Image?> ReadableCopyAsync(RegistryDbContext db, Actor actor, string hash, CancellationToken ct)
    {
        var containers = await db.Containers.WithAccessGraph()
            .Where(x => db.Images.Any(i => i.ContainerId == x.Id && i.Hash == hash && i.Uploaded)).Take(100).ToListAsync(ct);
        var readable = containers.FirstOrDefault(x => AccessRules.For(actor, x.Collection!).CanView);
        return readable is null ? null : await db.Images.FirstAsync(i => i.ContainerId == readable.Id && i.Hash == hash && i.Uploaded, ct);
    }

    /// <summary>An uploaded image by id, for serving a signed download URL (the signature already authorised it).</summary>
    public Task<StoredImage?> FindUploadedAsync(string imageId, CancellationToken ct = default) => lookup.FindUploadedAsync(dbFactory, imageId, ct);

    private static Result.Failure NotFound(ImageRef reference, string? arch) =>
        Result.NotFound($"image {reference}{(string.IsNullOrEmpty(arch) ? "" : $" ({arch})")} not found");
}
