using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;

namespace Registry.Core.Collections;

/// <summary>
/// Read models of the web UI: the collections grid, home page counts and the treemap. Visibility is decided by
/// <see cref="AccessRules"/> in memory over every collection's access graph: fine for a lab registry's thousands of collections.
/// </summary>
public sealed class CollectionBrowser(IDbContextFactory<RegistryDbContext> dbFactory)
{
    public async Task<CollectionPage> PageAsync(Actor actor, CollectionQuery query, CancellationToken ct = default)
    {
        IEnumerable<CollectionSummary> rows = await VisibleAsync(actor, ct);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var s = query.Search.Trim();
            rows = rows.Where(r => r.Path.Contains(s, StringComparison.OrdinalIgnoreCase) || r.Description.Contains(s, StringComparison.OrdinalIgnoreCase)
                                   || r.ContainerNames.Any(n => n.Contains(s, StringComparison.OrdinalIgnoreCase)));
        }
        rows = query.Filter switch
        {
            CollectionFilter.Mine => rows.Where(r => r.IsMine),
            CollectionFilter.Starred => rows.Where(r => r.StarredByMe),
            _ => rows,
        };
        var list = Sort(rows, query.SortBy, query.Descending).ToList();
        var size = Math.Clamp(query.PageSize, 1, 500);
        return new CollectionPage(list.Skip(Math.Max(0, query.Page) * size).Take(size).ToList(), list.Count);
    }

    public async Task<RegistryStats> StatsAsync(Actor actor, CancellationToken ct = default)
    {
        var visible = await VisibleAsync(actor, ct);
        var ids = visible.Select(c => c.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var uploaded = db.Images.Where(i => i.Uploaded && ids.Contains(i.Container!.CollectionId));
        var images = await uploaded.CountAsync(ct);
        var stored = await uploaded.Select(i => new { i.Hash, i.Size }).Distinct().SumAsync(x => x.Size, ct);
        return new RegistryStats(visible.Count, visible.Sum(c => c.Containers), images, visible.Sum(c => c.Bytes), stored);
    }

    public async Task<List<RecentContainer>> RecentAsync(Actor actor, int take, CancellationToken ct = default)
    {
        var ids = (await VisibleAsync(actor, ct)).Select(c => c.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var recent = await db.Containers.AsNoTracking().Where(x => ids.Contains(x.CollectionId))
            .OrderByDescending(x => x.UpdatedAt).Take(take)
            .Select(x => new { Entity = x.Collection!.Entity!.Name, Collection = x.Collection.Name, x.Name, x.UpdatedAt,
                               Tags = x.Tags.OrderByDescending(t => t.UpdatedAt).Select(t => t.Name).Take(8).ToList() })
            .ToListAsync(ct);
        return recent.Select(r => new RecentContainer(r.Entity, r.Collection, r.Name, r.UpdatedAt, r.Tags.Distinct().ToList())).ToList();
    }

    /// <summary>A visible collection with its containers, their tags and images, and what the actor may do there.</summary>
    public async Task<Result<CollectionView>> OpenAsync(Actor actor, string entity, string name, CancellationToken ct = default)
    {
        if (!Names.IsValid(entity) || !Names.IsValid(name)) return Result.NotFound($"collection {entity}/{name} not found");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.AsNoTracking().WithAccessGraph().AsSplitQuery()
            .FirstOrDefaultAsync(c => c.Name == name && c.Entity!.Name == entity, ct);
        var access = collection is null ? CollectionAccess.None : AccessRules.For(actor, collection);
        if (!access.CanView) return Result.NotFound($"collection {entity}/{name} not found");
        var containers = await db.Containers.AsNoTracking().Include(x => x.Tags).Include(x => x.Images).AsSplitQuery()
            .Where(x => x.CollectionId == collection!.Id).OrderBy(x => x.Name).ToListAsync(ct);
        return new CollectionView(collection!, containers, access);
    }

    /// <summary>Containers with a tag whose name contains <paramref name="value"/> (the Core search covers names and descriptions).</summary>
    public async Task<List<RecentContainer>> TagMatchesAsync(Actor actor, string value, int take, CancellationToken ct = default)
    {
        value = value.Trim().ToLowerInvariant();
        if (value.Length == 0) return [];
        var ids = (await VisibleAsync(actor, ct)).Select(c => c.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hits = await db.Tags.AsNoTracking().Where(t => t.Name.Contains(value))
            .Join(db.Containers.Where(x => ids.Contains(x.CollectionId)), t => t.ContainerId, x => x.Id,
                  (t, x) => new { Entity = x.Collection!.Entity!.Name, Collection = x.Collection.Name, x.Name, x.UpdatedAt, Tag = t.Name })
            .Take(take * 4).ToListAsync(ct);
        return hits.GroupBy(h => (h.Entity, h.Collection, h.Name, h.UpdatedAt))
            .Select(g => new RecentContainer(g.Key.Entity, g.Key.Collection, g.Key.Name, g.Key.UpdatedAt, g.Select(h => h.Tag).Distinct().ToList()))
            .OrderByDescending(r => r.UpdatedAt).Take(take).ToList();
    }

    /// <summary>
    /// Uploaded bytes per visible collection and container (a blob shared by two containers counts in both: the logical
    /// size), each collection's stored bytes (each distinct file once), and the stored bytes of all of them together.
    /// </summary>
    public async Task<(List<CollectionStorage> Collections, long StoredBytes)> StorageAsync(Actor actor, CancellationToken ct = default)
    {
        var visible = (await VisibleAsync(actor, ct)).ToDictionary(c => c.Id);
        var ids = visible.Keys.ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var images = await db.Images.AsNoTracking().Where(i => i.Uploaded && ids.Contains(i.Container!.CollectionId))
            .Select(i => new { i.Container!.CollectionId, i.Container.Name, i.Hash, i.Size }).ToListAsync(ct);
        var collections = images.GroupBy(i => i.CollectionId).Select(g =>
            {
                var c = visible[g.Key];
                var containers = g.GroupBy(i => i.Name).Select(x => new ContainerStorage(x.Key, x.Sum(i => i.Size))).ToList();
                return new CollectionStorage(c.Entity, c.Name, c.IsPrivate, containers, g.DistinctBy(i => i.Hash).Sum(i => i.Size));
            }).OrderByDescending(c => c.Bytes).ToList();
        return (collections, images.DistinctBy(i => i.Hash).Sum(i => i.Size));
    }

    /// <summary>Every collection the actor may see, with counts.</summary>
    public async Task<List<CollectionSummary>> VisibleAsync(Actor actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collections = (await db.Collections.AsNoTracking().WithAccessGraph().AsSplitQuery().ToListAsync(ct))
            .Where(c => AccessRules.For(actor, c).CanView).ToList();
        var containers = (await db.Containers.AsNoTracking().Select(x => new { x.CollectionId, x.Name, x.UpdatedAt }).ToListAsync(ct))
            .ToLookup(x => x.CollectionId);
        var bytes = (await db.Images.AsNoTracking().Where(i => i.Uploaded).GroupBy(i => i.Container!.CollectionId)
            .Select(g => new { g.Key, Bytes = g.Sum(i => i.Size) }).ToListAsync(ct)).ToDictionary(x => x.Key, x => x.Bytes);
        var stars = (await db.Stars.AsNoTracking().GroupBy(s => s.CollectionId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .ToDictionary(x => x.Key, x => x.Count);
        var mine = actor.IsAuthenticated
            ? (await db.Stars.AsNoTracking().Where(s => s.UserId == actor.UserId).Select(s => s.CollectionId).ToListAsync(ct)).ToHashSet()
            : [];

        return collections.Select(c =>
        {
            var items = containers[c.Id].ToList();
            var updated = items.Select(x => x.UpdatedAt).Append(c.UpdatedAt).Max();
            return new CollectionSummary(c.Id, c.Entity!.Name, c.Name, c.Description, c.IsPrivate, IsMember(actor, c), mine.Contains(c.Id),
                stars.GetValueOrDefault(c.Id), items.Count, bytes.GetValueOrDefault(c.Id), updated, items.Select(x => x.Name).Order().ToList());
        }).ToList();
    }

    private static bool IsMember(Actor actor, Collection c) => actor.IsAuthenticated &&
        (c.Entity!.UserId == actor.UserId || c.Members.Any(m => m.UserId == actor.UserId) || c.Entity.Team?.Members.Any(m => m.UserId == actor.UserId) == true);

    private static IEnumerable<CollectionSummary> Sort(IEnumerable<CollectionSummary> rows, string? by, bool descending)
    {
        Func<CollectionSummary, object> key = by switch
        {
            nameof(CollectionSummary.Stars) => r => r.Stars,
            nameof(CollectionSummary.Containers) => r => r.Containers,
            nameof(CollectionSummary.Bytes) => r => r.Bytes,
            nameof(CollectionSummary.UpdatedAt) => r => r.UpdatedAt,
            nameof(CollectionSummary.IsPrivate) => r => r.IsPrivate,
            _ => r => r.Path,
        };
        // Unsorted grids show the most starred first, like sregistry, then by name.
        if (by is null) return rows.OrderByDescending(r => r.Stars).ThenBy(r => r.Path, StringComparer.Ordinal);
        return descending ? rows.OrderByDescending(key).ThenBy(r => r.Path, StringComparer.Ordinal) : rows.OrderBy(key).ThenBy(r => r.Path, StringComparer.Ordinal);
    }
}
