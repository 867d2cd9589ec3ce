using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;

namespace Registry.Core.Entities;

/// <summary>Entities are created with their user or team; the API can only look them up.</summary>
public sealed class EntityService(IDbContextFactory<RegistryDbContext> dbFactory)
{
    private readonly EntityLookup lookup = new();

    public async Task<Result<Entity>> FindAsync(string name, CancellationToken ct = default)
    {
        if (!Names.IsValid(name)) return Result.Invalid($"'{name}' is not a valid entity name: use {Names.Rule}");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entity = await db.Entities.AsNoTracking().Include(e => e.Team).ThenInclude(t => t!.Members)
            .FirstOrDefaultAsync(e => e.Name == name, ct);
        return entity is null ? Result.NotFound($"entity {name} not found") : entity;
    }

    /// <summary>An entity as the actor sees it: the collections they may see (by name) and the size of those.</summary>
    public async Task<Result<Entity>> FindAsync(Actor actor, string name, CancellationToken ct = default)
    {
        if (!Names.IsValid(name)) return Result.Invalid($"'{name}' is not a valid entity name: use {Names.Rule}");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await lookup.FindAsync(db, actor, name) is { } entity ? entity : Result.NotFound($"entity {name} not found");
    }

    /// <summary>Entities the actor may create collections in: their own first, then the teams they own.</summary>
    public async Task<List<Entity>> WritableByAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidates = await db.Entities.AsNoTracking().Include(e => e.Team).ThenInclude(t => t!.Members)
            .Where(e => e.UserId == actor.UserId || e.Team!.Members.Any(m => m.UserId == actor.UserId))
            .ToListAsync(ct);
        return candidates.Where(e => AccessRules.CanCreateCollectionIn(actor, e)).OrderBy(e => e.Kind).ThenBy(e => e.Name).ToList();
    }

    /// <summary><c>POST /v1/entities</c>: a user's entity exists from sign-up, so this only answers why it can't be made.</summary>
    public async Task<Result<Entity>> CreateAsync(Actor actor, string name, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("sign in (a token) is required to create an entity");
        var existing = await FindAsync(name, ct);
        if (existing.Outcome == Outcome.Invalid) return existing;
        if (existing.Succeeded) return Result.Conflict($"entity {name} already exists");
        return Result.Forbidden($"entity {name} does not exist: entities are users and teams; push to library://{actor.UserName}/… or create a team named {name} in the web UI");
    }

    /// <summary>Admins override an entity's quota: bytes, 0 = unlimited, null = back to the registry default.</summary>
    public async Task<Result<Entity>> SetQuotaAsync(Actor actor, string name, long? quotaBytes, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return Result.Forbidden("only admins set quotas");
        if (quotaBytes < 0) return Result.Invalid("a quota cannot be negative");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entity = await db.Entities.FirstOrDefaultAsync(e => e.Name == name, ct);
        if (entity is null) return Result.NotFound($"entity {name} not found");
        entity.QuotaBytes = quotaBytes;
        Audit.AuditLog.Record(db, actor, "entity.quota", name, detail: quotaBytes?.ToString() ?? "default");
        await db.SaveChangesAsync(ct);
        return entity;
    }

    /// <summary>
    /// Bytes stored by the entity's uploaded images (each in full) and its <c>/v2/</c> blobs (each distinct one once:
    /// <see cref="Oci.OciUsage"/>), and its quota (0 = unlimited). <paramref name="publishing"/>: the hash of an image
    /// being published, counted as the image only.
    /// </summary>
    public static async Task<(long Usage, long Quota)> UsageAsync(RegistryDbContext db, Entity entity, RegistryOptions options, CancellationToken ct,
        string? publishing = null)
    {
        var images = await db.Images.Where(i => i.Uploaded && i.Container!.Collection!.EntityId == entity.Id)
            .SumAsync(i => (long?)i.Size, ct) ?? 0;
        return (images + await Oci.OciUsage.BytesAsync(db, entity, publishing, ct), entity.QuotaBytes ?? options.DefaultQuotaBytes);
    }
}
