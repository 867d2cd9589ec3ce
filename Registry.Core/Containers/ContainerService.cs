using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;

namespace Registry.Core.Containers;

public sealed class ContainerService(IDbContextFactory<RegistryDbContext> dbFactory)
{
    private readonly ContainerLookup lookup = new();

    /// <summary>A container with its images, tags, size and stars, if the actor may see its collection.</summary>
    public async Task<Result<Container>> FindAsync(Actor actor, string entity, string collection, string name, CancellationToken ct = default)
    {
        if (!Names.IsValid(entity) || !Names.IsValid(collection) || !Names.IsValid(name))
            return Result.Invalid($"'{entity}/{collection}/{name}' is not a valid container: use {Names.Rule}");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var container = await lookup.FindAsync(db, entity, collection, name, actor.UserId ?? "", ct);
        if (container is null || !AccessRules.For(actor, container.Collection!).CanView)
            return Result.NotFound($"container {entity}/{collection}/{name} not found");
        return container;
    }

    public async Task<Result<Container>> CreateAsync(Actor actor, string collectionId, string name, string description, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("a token is required to create a container");
        if (!Names.IsValid(name)) return Result.Invalid($"'{name}' is not a valid container name: use {Names.Rule}");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.WithAccessGraph().FirstOrDefaultAsync(c => c.Id == collectionId, ct);
        var access = collection is null ? CollectionAccess.None : AccessRules.For(actor, collection);
        if (!access.CanView) return Result.NotFound($"collection {collectionId} not found");
        if (!access.CanPush) return Result.Forbidden(AccessRules.TokenLimit(actor, collection!) ?? $"{actor.UserName} may not push to {collection!.Entity!.Name}/{collection.Name}");
        // Concurrent pushes of a new container: whoever may push gets the one that exists (see CollectionService.CreateAsync).
        if (await ExistingAsync(collectionId, name, ct) is { } existing) return existing;
        if (Names.ContainerProblem(name) is { } reserved) return Result.Invalid(reserved);

        var container = new Container
        {
            CollectionId = collectionId,
            Name = name,
            Description = description == "No description" ? "" : description,
            CreatedById = actor.UserId!,
            AwaitingFirstImage = true, // every container is created for a push: see RefusedPush
        };
        db.Containers.Add(container);
        AuditLog.Record(db, actor, "container.create", $"{collection!.Entity!.Name}/{collection.Name}/{name}", collectionId);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) // lost the race against a concurrent push creating the same name
        {
            if (await ExistingAsync(collectionId, name, ct) is not { } raced) throw;
            return raced;
        }
        container.Collection = collection;
        return Result.Created(container);
    }

    private async Task<Container?> ExistingAsync(string collectionId, string name, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Containers.AsNoTracking().WithAccessGraph().FirstOrDefaultAsync(x => x.CollectionId == collectionId && x.Name == name, ct);
    }
}
