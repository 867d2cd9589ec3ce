using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Containers;
using Registry.Core.Data;
using Registry.Core.Images;

namespace Registry.Core.Tags;

public sealed class TagService(IDbContextFactory<RegistryDbContext> dbFactory)
{
    /// <summary>Architecture assumed for arch-less (v1) tag requests on images whose SIF header names none.</summary>
    public const string FallbackArch = "amd64";

    public async Task<Result<List<Tag>>> ListAsync(Actor actor, string containerId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var container = await FindVisibleAsync(db, actor, containerId, ct);
        if (container is null) return Result.NotFound($"container {containerId} not found");
        return await db.Tags.AsNoTracking().Where(t => t.ContainerId == containerId).OrderBy(t => t.UpdatedAt).ToListAsync(ct);
    }

    /// <summary>Points (container, arch, tag) at an image, moving the tag if it exists. Frozen tags refuse to move.</summary>
    public Task<Result<List<Tag>>> SetAsync(Actor actor, string containerId, string? arch, string tag, string imageId, CancellationToken ct = default) =>
        SetAsync(actor, containerId, arch, tag, imageId, retried: false, ct);

    private async Task<Result<List<Tag>>> SetAsync(Actor actor, string containerId, string? arch, string tag, string imageId, bool retried, CancellationToken ct)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("a token is required to tag images");
        if (!Names.IsValid(tag)) return Result.Invalid($"'{tag}' is not a valid tag: use {Names.Rule}");
        if (!string.IsNullOrEmpty(arch) && !Architectures.IsKnown(arch)) return Result.Invalid($"unknown architecture '{arch}'");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var container = await FindVisibleAsync(db, actor, containerId, ct);
        if (container is null) return Result.NotFound($"container {containerId} not found");
        var where = $"{container.Collection!.Entity!.Name}/{container.Collection.Name}/{container.Name}";
        if (!AccessRules.For(actor, container.Collection).CanPush) return Result.Forbidden(AccessRules.TokenLimit(actor, container.Collection) ?? $"{actor.UserName} may not tag images in {where}");

        // Read and move the tag in one write transaction: a freeze or another move that commits meanwhile is seen, not
        // overwritten (SQLite's BEGIN IMMEDIATE; on PostgreSQL the same through PostgresWriteLock).
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var image = await db.Images.FirstOrDefaultAsync(i => i.Id == imageId && i.ContainerId == containerId, ct);
        if (image is null) return Result.NotFound($"image {imageId} not found in {where}");
        if (!image.Uploaded) return Result.Invalid($"image {imageId} has not been uploaded yet");
        if (string.IsNullOrEmpty(arch)) arch = image.Arch ?? FallbackArch;
        if (image.Arch is not null && image.Arch != arch)
            return Result.Invalid($"image {imageId} is a {image.Arch} image (from its SIF header) and cannot be tagged for {arch}");
        image.Arch ??= arch;

        var existing = await db.Tags.FirstOrDefaultAsync(t => t.ContainerId == containerId && t.Arch == arch && t.Name == tag, ct);
        if (existing is { Frozen: true } && existing.ImageId != imageId)
            return Result.Forbidden($"tag {where}:{tag} ({arch}) is frozen and cannot be overwritten");
        var created = existing is null;
        if (existing is null)
            db.Tags.Add(existing = new Tag { ContainerId = containerId, Arch = arch, Name = tag });
        existing.ImageId = imageId;
        existing.UpdatedAt = DateTime.UtcNow;
        existing.UpdatedByName = actor.UserName;
        container.UpdatedAt = DateTime.UtcNow;
        AuditLog.Record(db, actor, "tag.set", $"{where}:{tag}", container.CollectionId, $"{arch} sha256.{image.Hash}");
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException) when (created && !retried)
        {
            // A concurrent push created the same new tag first: this one moves it, as it would move any existing tag.
            await tx.RollbackAsync(CancellationToken.None); // frees the write lock before the retry asks for it
            return await SetAsync(actor, containerId, arch, tag, imageId, retried: true, ct);
        }
        return await db.Tags.AsNoTracking().Where(t => t.ContainerId == containerId).OrderBy(t => t.UpdatedAt).ToListAsync(ct);
    }

    /// <summary>Takes a tag off its image (the image stays, untagged or under its other tags). Frozen tags stay.</summary>
    public async Task<Result<Tag>> RemoveAsync(Actor actor, string containerId, string arch, string tag, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("a token is required to remove tags");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var container = await FindVisibleAsync(db, actor, containerId, ct);
        var existing = container is null ? null
            : await db.Tags.FirstOrDefaultAsync(t => t.ContainerId == containerId && t.Arch == arch && t.Name == tag, ct);
        if (existing is null) return Result.NotFound($"tag {tag} ({arch}) not found");
        var where = $"{container!.Collection!.Entity!.Name}/{container.Collection.Name}/{container.Name}";
        if (!AccessRules.For(actor, container.Collection).CanPush) return Result.Forbidden(AccessRules.TokenLimit(actor, container.Collection) ?? $"{actor.UserName} may not remove tags in {where}");
        if (existing.Frozen) return Result.Forbidden($"tag {where}:{tag} ({arch}) is frozen; unfreeze it first");
        db.Tags.Remove(existing);
        container.UpdatedAt = DateTime.UtcNow;
        AuditLog.Record(db, actor, "tag.remove", $"{where}:{tag}", container.CollectionId, arch);
        await db.SaveChangesAsync(ct);
        return existing;
    }

    public async Task<Result<Tag>> FreezeAsync(Actor actor, string containerId, string arch, string tag, bool frozen, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var container = await FindVisibleAsync(db, actor, containerId, ct);
        var existing = container is null ? null
            : await db.Tags.FirstOrDefaultAsync(t => t.ContainerId == containerId && t.Arch == arch && t.Name == tag, ct);
        if (existing is null) return Result.NotFound($"tag {tag} ({arch}) not found");
        if (!AccessRules.For(actor, container!.Collection!).CanManage) return Result.Forbidden(AccessRules.TokenLimit(actor, container.Collection!, manage: true) ?? "only owners can freeze or unfreeze tags");
        existing.Frozen = frozen;
        AuditLog.Record(db, actor, frozen ? "tag.freeze" : "tag.unfreeze",
            $"{container.Collection!.Entity!.Name}/{container.Collection.Name}/{container.Name}:{tag}", container.CollectionId, arch);
        await db.SaveChangesAsync(ct);
        return existing;
    }

    private static async Task<Container?> FindVisibleAsync(RegistryDbContext db, Actor actor, string containerId, CancellationToken ct)
    {
        var container = await db.Containers.WithAccessGraph().FirstOrDefaultAsync(x => x.Id == containerId, ct);
        return container is not null && AccessRules.For(actor, container.Collection!).CanView ? container : null;
    }
}
