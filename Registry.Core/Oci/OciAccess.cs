using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Data;
using Registry.Core.Entities;

namespace Registry.Core.Oci;

/// <summary>A repository as one request sees it: its collection (null when it does not exist yet) and container.</summary>
public sealed record OciTarget(Entity Entity, Collection? Collection, Container? Container, CollectionAccess Access);

/// <summary>
/// Who may read and write a repository on <c>/v2/</c>: the Library API's rules (<see cref="AccessRules"/>), asked of the
/// collection the name maps onto. A repository that is not visible reads as not found, never as forbidden.
/// </summary>
public static class OciAccess
{
    public static async Task<OciTarget?> FindAsync(RegistryDbContext db, OciRepository repo, Actor actor, CancellationToken ct)
    {
        var entity = await db.Entities.AsNoTracking().Include(e => e.Team).ThenInclude(t => t!.Members)
            .FirstOrDefaultAsync(e => e.Name == repo.Entity, ct);
        if (entity is null) return null;
        var collection = await db.Collections.AsNoTracking().WithAccessGraph()
            .FirstOrDefaultAsync(c => c.EntityId == entity.Id && c.Name == repo.Collection, ct);
        if (collection is null) return new OciTarget(entity, null, null, CollectionAccess.None);
        var access = AccessRules.For(actor, collection);
        var container = await db.Containers.AsNoTracking().FirstOrDefaultAsync(x => x.CollectionId == collection.Id && x.Name == repo.Container, ct);
        return new OciTarget(entity, collection, container, access);
    }

    /// <summary>The repository for a read: not found unless its collection exists and the actor may view it.</summary>
    public static async Task<Result<OciTarget>> ReadableAsync(RegistryDbContext db, OciRepository repo, Actor actor, CancellationToken ct)
    {
        var target = await FindAsync(db, repo, actor, ct);
        if (target?.Collection is null || !target.Access.CanView) return Result.NotFound($"repository {repo} not found");
        return target;
    }

    /// <summary>The repository for a push: an existing collection the actor may push to, or one they may create.</summary>
    public static async Task<Result<OciTarget>> PushableAsync(RegistryDbContext db, OciRepository repo, Actor actor, CancellationToken ct)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("sign in to push");
        var target = await FindAsync(db, repo, actor, ct);
        if (target is null) return Result.NotFound($"entity {repo.Entity} not found");
        if (target.Collection is null)
            return AccessRules.CanCreateCollectionIn(actor, target.Entity) ? target
                : Result.Forbidden(AccessRules.TokenLimit(actor, target.Entity) ?? $"{actor.UserName} may not create collection {repo.Entity}/{repo.Collection}");
        if (!target.Access.CanView) return Result.NotFound($"repository {repo} not found");
        if (!target.Access.CanPush)
            return Result.Forbidden(AccessRules.TokenLimit(actor, target.Collection) ?? $"{actor.UserName} may not push to {repo.Entity}/{repo.Collection}");
        return target;
    }

    /// <summary>Deletes: as push (the Library API lets pushers delete images and tags), on an existing container.</summary>
    public static async Task<Result<OciTarget>> DeletableAsync(RegistryDbContext db, OciRepository repo, Actor actor, CancellationToken ct)
    {
        var target = await PushableAsync(db, repo, actor, ct);
        if (target.Succeeded && target.Value!.Container is null) return Result.NotFound($"repository {repo} not found");
        return target;
    }
}
