using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Storage;
using Registry.Core.Teams;

namespace Registry.Core.Collections;

/// <summary>Collection settings: owners and contributors, and deleting a collection with the bytes only it used.</summary>
public sealed class CollectionMembersService(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs)
{
    /// <summary>The collection with its members' users loaded, if the actor may manage it.</summary>
    public async Task<Result<Collection>> FindManagedAsync(Actor actor, string entity, string name, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.AsNoTracking().WithAccessGraph().Include(c => c.Members).ThenInclude(m => m.User)
            .FirstOrDefaultAsync(c => c.Name == name && c.Entity!.Name == entity, ct);
        if (collection is null || !AccessRules.For(actor, collection).CanView) return Result.NotFound($"collection {entity}/{name} not found");
        if (!AccessRules.For(actor, collection).CanManage) return Result.Forbidden("only owners can change this collection's settings");
        return collection;
    }

    /// <summary>
    /// Changes a member's role. Nobody is added here: owners invite by name (<see cref="Invitations.MemberInviteService"/>)
    /// and the person becomes a member by accepting, so no one gets a collection (or its notifications) unasked.
    /// </summary>
    public async Task<Result<CollectionMember>> SetRoleAsync(Actor actor, string collectionId, string userId, CollectionRole role, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.WithAccessGraph().FirstOrDefaultAsync(c => c.Id == collectionId, ct);
        if (collection is null || !AccessRules.For(actor, collection).CanManage) return Result.Forbidden("only owners manage members");
        var member = collection.Members.FirstOrDefault(m => m.UserId == userId);
        if (member is null) return Result.NotFound("not a member of this collection: invite them by name, and they join when they accept");
        if (member.Role == CollectionRole.Owner && role != CollectionRole.Owner && OwnerCount(collection) <= 1)
            return Result.Conflict("a collection needs at least one owner");
        member.Role = role;
        AuditLog.Record(db, actor, "collection.member.set", $"{collection.Entity!.Name}/{collection.Name}:{await AuditLog.UserNameAsync(db, userId, ct)}", collectionId, role.ToString().ToLowerInvariant());
        await db.SaveChangesAsync(ct);
        return member;
    }

    public async Task<Result<bool>> RemoveAsync(Actor actor, string collectionId, string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.WithAccessGraph().FirstOrDefaultAsync(c => c.Id == collectionId, ct);
        if (collection is null || !AccessRules.For(actor, collection).CanManage) return Result.Forbidden("only owners manage members");
        var member = collection.Members.FirstOrDefault(m => m.UserId == userId);
        if (member is null) return Result.NotFound("not a member of this collection");
        if (member.Role == CollectionRole.Owner && OwnerCount(collection) <= 1) return Result.Conflict("a collection needs at least one owner");
        db.CollectionMembers.Remove(member);
        AuditLog.Record(db, actor, "collection.member.remove", $"{collection.Entity!.Name}/{collection.Name}:{await AuditLog.UserNameAsync(db, userId, ct)}", collectionId);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Deletes the collection, its containers, images and tags, then frees every blob no other image uses.</summary>
    public async Task<Result<long>> DeleteAsync(Actor actor, string collectionId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.WithAccessGraph().FirstOrDefaultAsync(c => c.Id == collectionId, ct);
        if (collection is null || !AccessRules.For(actor, collection).CanView) return Result.NotFound("collection not found");
        if (!AccessRules.For(actor, collection).CanManage) return Result.Forbidden("only owners delete a collection");
        var hashes = await db.Images.Where(i => i.Container!.CollectionId == collectionId).Select(i => i.Hash).Distinct().ToListAsync(ct);
        db.Collections.Remove(collection);
        AuditLog.Record(db, actor, "collection.delete", $"{collection.Entity!.Name}/{collection.Name}", collectionId);
        await db.SaveChangesAsync(ct);
        long freed = 0;
        foreach (var hash in hashes) freed += await BlobHousekeeping.DeleteIfUnusedAsync(db, blobs, hash, ct);
        return freed;
    }

    // Implicit owners count too: the user of a user entity, the owners of a team entity.
    private static int OwnerCount(Collection c) =>
        c.Members.Count(m => m.Role == CollectionRole.Owner)
        + (c.Entity!.Kind == EntityKind.User ? 1 : c.Entity.Team?.Members.Count(m => m.Role == TeamRole.Owner) ?? 0);
}
