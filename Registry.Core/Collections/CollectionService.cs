using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;

namespace Registry.Core.Collections;

public sealed class CollectionService(IDbContextFactory<RegistryDbContext> dbFactory, IOptions<RegistryOptions> options)
{
    /// <summary>A collection the actor may see; invisible ones are reported as not found, never as forbidden.</summary>
    public async Task<Result<Collection>> FindAsync(Actor actor, string entity, string name, CancellationToken ct = default)
    {
        if (!Names.IsValid(entity) || !Names.IsValid(name)) return Result.Invalid($"'{entity}/{name}' is not a valid collection: use {Names.Rule}");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.AsNoTracking().WithAccessGraph()
            .FirstOrDefaultAsync(c => c.Name == name && c.Entity!.Name == entity, ct);
        if (collection is null || !AccessRules.For(actor, collection).CanView) return Result.NotFound($"collection {entity}/{name} not found");
        return collection;
    }

    public async Task<Result<Collection>> CreateAsync(Actor actor, string entityId, string name, string description, bool? isPrivate = null, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("a token is required to create a collection");
        if (!Names.IsValid(name)) return Result.Invalid($"'{name}' is not a valid collection name: use {Names.Rule}");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entity = await db.Entities.Include(e => e.Team).ThenInclude(t => t!.Members).FirstOrDefaultAsync(e => e.Id == entityId, ct);
        if (entity is null) return Result.NotFound($"entity {entityId} not found");
        if (!AccessRules.CanCreateCollectionIn(actor, entity))
            return Result.Forbidden($"{actor.UserName} may not create collections in entity {entity.Name}");
        if (await ExistingAsync(actor, entityId, name, ct) is { } existing) return existing;

        var collection = new Collection
        {
            EntityId = entity.Id,
            Name = name,
            Description = description == "No description" ? "" : description,
            IsPrivate = isPrivate ?? entity.DefaultPrivate,
            CreatedById = actor.UserId!,
        };
        if (entity.Kind == Entities.EntityKind.Team || entity.UserId != actor.UserId)
            collection.Members.Add(new CollectionMember { UserId = actor.UserId!, Role = CollectionRole.Owner });
        db.Collections.Add(collection);
        AuditLog.Record(db, actor, "collection.create", $"{entity.Name}/{name}", collection.Id);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) // lost the race against a concurrent push creating the same name
        {
            if (await ExistingAsync(actor, entityId, name, ct) is not { } raced) throw;
            return raced;
        }
        collection.Entity = entity;
        return Result.Created(collection);
    }

    /// <summary>
    /// Pushes create their collection on the fly, often several at once: one the caller may push to is simply returned,
    /// so concurrent first pushes all succeed; anyone else gets a conflict.
    /// </summary>
    private async Task<Result<Collection>?> ExistingAsync(Actor actor, string entityId, string name, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var existing = await db.Collections.AsNoTracking().WithAccessGraph().FirstOrDefaultAsync(c => c.EntityId == entityId && c.Name == name, ct);
        if (existing is null) return null;
        if (AccessRules.For(actor, existing).CanPush) return existing;
        return Result.Conflict($"collection {existing.Entity!.Name}/{name} already exists");
    }

    public async Task<Result<Collection>> SetPrivateAsync(Actor actor, string collectionId, bool isPrivate, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.WithAccessGraph().FirstOrDefaultAsync(c => c.Id == collectionId, ct);
        if (collection is null || !AccessRules.For(actor, collection).CanView) return Result.NotFound("collection not found");
        if (!AccessRules.For(actor, collection).CanManage) return Result.Forbidden("only owners can change a collection's visibility");
        collection.IsPrivate = isPrivate;
        collection.UpdatedAt = DateTime.UtcNow;
        AuditLog.Record(db, actor, isPrivate ? "collection.private" : "collection.public", $"{collection.Entity!.Name}/{collection.Name}", collection.Id);
        await db.SaveChangesAsync(ct);
        return collection;
    }

    /// <summary>Visible collections with this name in any entity (the shub protocol names collections without their entity).</summary>
    public async Task<List<Collection>> FindByNameAsync(Actor actor, string name, CancellationToken ct = default)
    {
        if (!Names.IsValid(name)) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidates = await db.Collections.AsNoTracking().WithAccessGraph().Where(c => c.Name == name).ToListAsync(ct);
        return candidates.Where(c => AccessRules.For(actor, c).CanView).ToList();
    }

    internal RegistryOptions Options => options.Value;
}
