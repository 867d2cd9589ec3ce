using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Entities;

namespace Registry.Core.Collections;

public sealed class CollectionService(IDbContextFactory<RegistryDbContext> dbFactory, IOptions<RegistryOptions> options, WriteGeneration writes)
{
    private readonly ViewerCache _owners = new(writes);

    private readonly CollectionLookup lookup = new();

    /// <summary>A collection the actor may see, with its containers and size; invisible ones are reported as not found, never as forbidden.</summary>
    public async Task<Result<Collection>> FindAsync(Actor actor, string entity, string name, CancellationToken ct = default)
    {
        if (!Names.IsValid(entity) || !Names.IsValid(name)) return Result.Invalid($"'{entity}/{name}' is not a valid collection: use {Names.Rule}");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await lookup.FindAsync(db, entity, name, actor.UserId ?? "");
        if (collection is null || !AccessRules.For(actor, collection).CanView) return Result.NotFound($"collection {entity}/{name} not found");
        return collection;
    }

    /// <summary>
    /// Creates a collection (the web UI, and every first push through <c>POST /v1/collections</c>), under the registry's
    /// collection options: <see cref="RegistryOptions.UserCollections"/>, <see cref="RegistryOptions.MaxCollectionsPerUser"/>,
    /// <see cref="RegistryOptions.DefaultPrivate"/> and <see cref="RegistryOptions.PrivateOnly"/>.
    /// </summary>
    public async Task<Result<Collection>> CreateAsync(Actor actor, string entityId, string name, string description, bool? isPrivate = null, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("a token is required to create a collection");
        if (!Names.IsValid(name)) return Result.Invalid($"'{name}' is not a valid collection name: use {Names.Rule}");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entity = await db.Entities.Include(e => e.Team).ThenInclude(t => t!.Members).FirstOrDefaultAsync(e => e.Id == entityId, ct);
        if (entity is null) return Result.NotFound($"entity {entityId} not found");
        if (!AccessRules.CanCreateCollectionIn(actor, entity))
            return Result.Forbidden(AccessRules.TokenLimit(actor, entity) ?? $"{actor.UserName} may not create collections in entity {entity.Name}");
        if (await ExistingAsync(db, actor, entityId, name, ct) is { } existing) return existing;
        if (Names.IsReserved(name)) return Result.Invalid(Names.ProblemWith(name, "collection")!);
        // The limit's count and the insert in one write transaction (SQLite's BEGIN IMMEDIATE): concurrent creations wait
        // for it, so none slips past MaxCollectionsPerUser on a count taken before another's insert.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await ExistingAsync(db, actor, entityId, name, ct) is { } madeMeanwhile) return madeMeanwhile; // by the push we waited for
        if (await PolicyRefusalAsync(db, actor, entity, name, ct) is { } refused) return refused;

        var collection = new Collection
        {
            EntityId = entity.Id,
            Name = name,
            Description = description == "No description" ? "" : description,
            IsPrivate = options.Value.PrivateOnly || (isPrivate ?? (options.Value.DefaultPrivate || entity.DefaultPrivate)),
            OnlySigned = options.Value.DefaultOnlySigned,
            CreatedById = actor.UserId!,
        };
        if (entity.Kind == Entities.EntityKind.Team || entity.UserId != actor.UserId)
            collection.Members.Add(new CollectionMember { UserId = actor.UserId!, Role = CollectionRole.Owner });
        db.Collections.Add(collection);
        AuditLog.Record(db, actor, "collection.create", $"{entity.Name}/{name}", collection.Id);
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException) // lost the race against a concurrent push creating the same name
        {
            await tx.RollbackAsync(CancellationToken.None);
            if (await ExistingAsync(db, actor, entityId, name, ct) is not { } raced) throw;
            return raced;
        }
        collection.Entity = entity;
        return Result.Created(collection);
    }

    /// <summary>
    /// Whether the actor may create a collection in the entity named <paramref name="entityName"/> now (the entity on
    /// success; otherwise the reason, as <see cref="CreateAsync"/> would give it), so the web UI can explain before asking.
    /// </summary>
    public async Task<Result<Entity>> CanCreateInAsync(Actor actor, string entityName, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("sign in to create a collection");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entity = await db.Entities.AsNoTracking().Include(e => e.Team).ThenInclude(t => t!.Members).FirstOrDefaultAsync(e => e.Name == entityName, ct);
        if (entity is null) return Result.NotFound($"entity {entityName} not found");
        if (!AccessRules.CanCreateCollectionIn(actor, entity))
            return Result.Forbidden(AccessRules.TokenLimit(actor, entity) ?? $"{actor.UserName} may not create collections in entity {entity.Name}");
        if (await PolicyRefusalAsync(db, actor, entity, null, ct) is { } refused) return refused;
        return entity;
    }

    /// <summary>The registry-wide limits on new collections; admins are held by none of them.</summary>
    private async Task<Result.Failure?> PolicyRefusalAsync(RegistryDbContext db, Actor actor, Entity entity, string? name, CancellationToken ct)
    {
        if (actor.IsAdmin) return null;
        var what = name is null ? $"collections in {entity.Name}" : $"{entity.Name}/{name}";
        if (!options.Value.UserCollections)
            return Result.Forbidden($"only administrators create collections on this registry: ask one to create {what}, or push to an existing collection");
        var max = options.Value.MaxCollectionsPerUser;
        if (max > 0)
        {
            var count = await db.Collections.CountAsync(c => c.EntityId == entity.Id, ct);
            if (count >= max)
                return Result.Forbidden($"{entity.Name} has reached the collection limit of this registry ({max}): push to an existing collection or delete one");
        }
        return null;
    }

    /// <summary>
    /// Pushes create their collection on the fly, often several at once: one the caller may push to is simply returned,
    /// so concurrent first pushes all succeed; anyone else gets a conflict.
    /// </summary>
    // On the caller's connection: inside the creation's transaction a second connection would wait on the pool, which
    // on PostgreSQL may be held by creations waiting for this one's write lock.
    private static async Task<Result<Collection>?> ExistingAsync(RegistryDbContext db, Actor actor, string entityId, string name, CancellationToken ct)
    {
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
        if (!AccessRules.For(actor, collection).CanManage)
            return Result.Forbidden(AccessRules.TokenLimit(actor, collection, manage: true) ?? "only owners can change a collection's visibility");
        if (!isPrivate && options.Value.PrivateOnly)
            return Result.Forbidden($"this registry keeps every collection private: {collection.Entity!.Name}/{collection.Name} cannot be made public");
        collection.IsPrivate = isPrivate;
        collection.UpdatedAt = DateTime.UtcNow;
        AuditLog.Record(db, actor, isPrivate ? "collection.private" : "collection.public", $"{collection.Entity!.Name}/{collection.Name}", collection.Id);
        await db.SaveChangesAsync(ct);
        return collection;
    }

    /// <summary>Owners choose whether the collection accepts only images with a signature verified against the keyserver.</summary>
    public async Task<Result<Collection>> SetOnlySignedAsync(Actor actor, string collectionId, bool onlySigned, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.WithAccessGraph().FirstOrDefaultAsync(c => c.Id == collectionId, ct);
        if (collection is null || !AccessRules.For(actor, collection).CanView) return Result.NotFound("collection not found");
        if (!AccessRules.For(actor, collection).CanManage)
            return Result.Forbidden(AccessRules.TokenLimit(actor, collection, manage: true) ?? "only owners can change what a collection accepts");
        collection.OnlySigned = onlySigned;
        collection.UpdatedAt = DateTime.UtcNow;
        AuditLog.Record(db, actor, onlySigned ? "collection.only-signed" : "collection.any-signature", $"{collection.Entity!.Name}/{collection.Name}", collection.Id);
        await db.SaveChangesAsync(ct);
        return collection;
    }

    /// <summary>Visible collections with this name in any entity (the shub protocol names collections without their entity).</summary>
    public async Task<List<Collection>> FindByNameAsync(Actor actor, string name, CancellationToken ct = default)
    {
        if (!Names.IsValid(name)) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidates = await db.Collections.AsNoTracking().WithAccessGraph().Where(c => c.Name == name).ToListAsync(ct);
        return candidates.Where(c => AccessRules.For(actor, c).CanView).OrderBy(c => c.Entity!.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The entities (by name, ordered) holding a collection of this name that the actor may see: what a shub manifest,
    /// which names no entity, resolves first on every pull. Kept per view until the next write.
    /// </summary>
    public Task<IReadOnlyList<string>> OwnersOfAsync(Actor actor, string name) =>
        _owners.GetAsync($"owners|{name}", actor, async () =>
            (IReadOnlyList<string>)(await FindByNameAsync(actor, name)).Select(c => c.Entity!.Name).ToList());

    /// <summary>
    /// With <see cref="RegistryOptions.PrivateOnly"/> turned on, collections made public before are made private (at
    /// start-up), each with an audit event, so "no collection is public" holds for old data too. Returns how many.
    /// </summary>
    public async Task<int> EnforcePrivateOnlyAsync(Actor system, CancellationToken ct = default)
    {
        if (!options.Value.PrivateOnly) return 0;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var exposed = await db.Collections.Include(c => c.Entity).Where(c => !c.IsPrivate).ToListAsync(ct);
        foreach (var collection in exposed)
        {
            collection.IsPrivate = true;
            collection.UpdatedAt = DateTime.UtcNow;
            AuditLog.Record(db, system, "collection.private", $"{collection.Entity!.Name}/{collection.Name}", collection.Id, "PrivateOnly");
        }
        await db.SaveChangesAsync(ct);
        return exposed.Count;
    }

    internal RegistryOptions Options => options.Value;
}
