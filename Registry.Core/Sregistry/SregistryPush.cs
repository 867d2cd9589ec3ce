using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Images;
using Registry.Core.Storage;
using Registry.Core.Tags;

namespace Registry.Core.Sregistry;

/// <summary>
/// <c>sregistry push</c>: <see cref="PrepareAsync"/> answers <c>chunked_upload</c> with the collection to upload into;
/// <see cref="UploadAsync"/> streams the file into a temp file while hashing it and publishes it the way every upload is
/// published (<see cref="ImagePublisher"/>: SIF check, quota, blob, audit), then tags it. No checksum arrives from the
/// client: the digest is what was received. Nothing is visible until the publish, so a dropped connection leaves nothing.
/// </summary>
public sealed class SregistryPush(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, IOptions<RegistryOptions> options,
    CollectionService collections, ContainerService containers, ImageService images, TagService tags, ImagePublisher publisher, RefusedPush refused)
{
    /// <summary>Kept free on the volume by a push: a full disk breaks more than the push that filled it.</summary>
    public const long DiskReserve = 64L << 20;

    /// <summary>
    /// The collection named <paramref name="collection"/> the actor may push to; created in the actor's own entity when no
    /// collection of that name is theirs to push to (and the registry lets users create collections).
    /// </summary>
    public async Task<Result<Collection>> PrepareAsync(Actor actor, string collection, string container, string tag, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("a push signature is required");
        if (SregistryNames.Problem(collection, container, tag) is { } problem) return Result.Invalid(problem);
        var visible = await collections.FindByNameAsync(actor, collection, ct);
        var pushable = visible.Where(c => SregistryNames.MayPush(actor, c)).ToList();
        if (pushable.Count > 1) return SregistryNames.Single(pushable, collection, container, tag);
        if (pushable.Count == 1) return await RefuseFrozenAsync(actor, pushable[0], container, tag, ct) is { } frozen ? frozen : pushable[0];
        if (visible.Count > 0)
            return Result.Forbidden(AccessRules.TokenLimit(actor, visible[0]) ??
                $"{actor.UserName} may not push to collection {collection} (library://{visible[0].Entity!.Name}/{collection}): choose another collection name");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var own = await db.Entities.AsNoTracking().FirstOrDefaultAsync(e => e.Kind == EntityKind.User && e.UserId == actor.UserId, ct);
        if (own is null) return Result.NotFound($"{actor.UserName} has no entity to create collection {collection} in");
        return await collections.CreateAsync(actor, own.Id, collection, "", null, ct);
    }

    /// <summary>Streams <paramref name="file"/> into collection <paramref name="collectionId"/> as <c>container:tag</c>; answers the library ref.</summary>
    public async Task<Result<string>> UploadAsync(Actor actor, string collectionId, string container, string tag, Stream file, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("an upload signature is required");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.AsNoTracking().WithAccessGraph().FirstOrDefaultAsync(c => c.Id == collectionId, ct);
        if (collection is null || !AccessRules.For(actor, collection).CanView) return Result.NotFound($"collection {collectionId} not found");
        if (!SregistryNames.MayPush(actor, collection))
            return Result.Forbidden(AccessRules.TokenLimit(actor, collection) ?? $"{actor.UserName} may not push to {collection.Entity!.Name}/{collection.Name}");
        if (await RefuseFrozenAsync(actor, collection, container, tag, ct) is { } frozen) return frozen;

        var (usage, quota) = await EntityService.UsageAsync(db, collection.Entity!, options.Value, ct);
        var room = blobs.AvailableBytes() - DiskReserve;
        var maxBytes = quota > 0 ? Math.Min(room, quota - usage) : room;
        var staged = blobs.BeginUpload("sregistry");
        var published = false;
        try
        {
            BlobWrite written;
            try { written = await staged.WriteAsync(file, 0, Math.Max(0, maxBytes), hashOwn: false, ct); }
            catch (BlobTooLargeException)
            {
                return Result.InsufficientStorage(quota > 0 && quota - usage <= room
                    ? $"quota exceeded: {collection.Entity!.Name} uses {usage} of {quota} bytes and this image does not fit"
                    : "the registry's disk is full: ask an administrator to free space");
            }
            var digest = (written.UpTo ?? written.Own)!.Value; // the whole file's: one write from offset 0
            var sif = ImagePublisher.Inspect(staged);
            if (!sif.Succeeded) return sif.As<string>();

            var found = await containers.FindAsync(actor, collection.Entity!.Name, collection.Name, container, ct);
            if (found.Outcome == Outcome.NotFound) found = await containers.CreateAsync(actor, collectionId, container, "", ct);
            if (!found.Succeeded) return found.As<string>();
            var image = await images.CreateAsync(actor, found.Value!.Id, digest.LibraryForm, "", ct);
            if (!image.Succeeded) return image.As<string>();
            if (!image.Value!.Uploaded)
            {
                await using var publishDb = await dbFactory.CreateDbContextAsync(ct);
                var done = await publisher.PublishAsync(publishDb, actor, image.Value.Id, staged, sif.Value!, " (sregistry)", ct);
                if (!done.Succeeded)
                {
                    staged.Discard();
                    await refused.ForgetAsync(image.Value.Id); // refused: nor the image and container made for it are kept
                    return done.As<string>();
                }
                published = done.Value;
            }
            var tagged = await tags.SetAsync(actor, found.Value.Id, null, tag, image.Value.Id, ct);
            if (!tagged.Succeeded) return tagged.As<string>();
            return $"library://{collection.Entity!.Name}/{collection.Name}/{container}:{tag}";
        }
        finally
        {
            if (!published) staged.Discard(); // a failed, cancelled or deduplicated upload leaves nothing staged
        }
    }

    /// <summary>The name of a collection by id (what an upload signature signs), or null; no access check: the push decides.</summary>
    public async Task<string?> CollectionNameAsync(string collectionId, CancellationToken ct = default)
    {
        if (collectionId.Length > 64) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Collections.AsNoTracking().Where(c => c.Id == collectionId).Select(c => c.Name).FirstOrDefaultAsync(ct);
    }

    private async Task<Result.Failure?> RefuseFrozenAsync(Actor actor, Collection collection, string container, string tag, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var frozen = await db.Tags.AnyAsync(t => t.Frozen && t.Name == tag
            && db.Containers.Any(x => x.Id == t.ContainerId && x.CollectionId == collection.Id && x.Name == container), ct);
        return frozen ? Result.Forbidden($"{collection.Name}/{container}:{tag} is frozen and cannot be replaced") : null;
    }
}
