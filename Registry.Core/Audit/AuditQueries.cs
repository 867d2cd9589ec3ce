using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;

namespace Registry.Core.Audit;

/// <summary>One page of audit events, newest first, and how many there are in all.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEvent> Events, int Total);

/// <summary>Reading the audit log: admins see everything, a collection's managers see that collection's events.</summary>
public sealed class AuditQueries(IDbContextFactory<RegistryDbContext> dbFactory)
{
    public const int MaxPageSize = 200;

    /// <summary>Every event, optionally only those whose action or target or user name contains <paramref name="search"/>; admins only.</summary>
    public async Task<Result<AuditPage>> ListAllAsync(Actor actor, int page, int pageSize, string? search = null, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return Result.Forbidden("only admins see the whole audit log");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = db.AuditEvents.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
            events = events.Where(e => e.Action.Contains(search) || e.Target.Contains(search) || e.UserName.Contains(search) || e.Address.Contains(search));
        return await PageAsync(db, events, page, pageSize, ct);
    }

    /// <summary>The events of one collection, for those who may manage it (owners, team owners, admins).</summary>
    public async Task<Result<AuditPage>> ListForCollectionAsync(Actor actor, string collectionId, int page, int pageSize, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.AsNoTracking().WithAccessGraph().FirstOrDefaultAsync(c => c.Id == collectionId, ct);
        if (collection is null || !AccessRules.For(actor, collection).CanView) return Result.NotFound("collection not found");
        if (!AccessRules.For(actor, collection).CanManage) return Result.Forbidden("only owners see a collection's audit log");
        return await PageAsync(db, db.AuditEvents.AsNoTracking().Where(e => e.CollectionId == collectionId), page, pageSize, ct);
    }

    private static async Task<Result<AuditPage>> PageAsync(RegistryDbContext db, IQueryable<AuditEvent> events, int page, int pageSize, CancellationToken ct)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var total = await events.CountAsync(ct);
        // Id breaks ties between events of the same instant (ids grow with time).
        var items = await events.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip(Math.Max(0, page) * pageSize).Take(pageSize).ToListAsync(ct);
        await NameUsersAsync(db, items, ct);
        return new AuditPage(items, total);
    }

    /// <summary>Member events once named the user by id (<c>team:&lt;id&gt;</c>): shown with the user's name instead.</summary>
    private static async Task NameUsersAsync(RegistryDbContext db, List<AuditEvent> items, CancellationToken ct)
    {
        var ids = items.Select(e => e.Target[(e.Target.LastIndexOf(':') + 1)..]).Where(t => t.Length == 36).Distinct().ToList();
        if (ids.Count == 0) return;
        var names = await db.Users.Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.UserName ?? u.Id, ct);
        foreach (var e in items)
            if (names.TryGetValue(e.Target[(e.Target.LastIndexOf(':') + 1)..], out var name))
                e.Target = e.Target[..(e.Target.LastIndexOf(':') + 1)] + name;
    }
}
