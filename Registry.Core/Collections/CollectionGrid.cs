using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;

namespace Registry.Core.Collections;

/// <summary>
/// The collections grid's rows as one SQL query: visibility (<see cref="Visibility"/>), the filter and the search are
/// WHERE clauses, the counts maintained columns (<see cref="CollectionCounters"/>), and sorting and paging ORDER BY / LIMIT, so only a
/// page's rows (and their container names) leave the database.
/// </summary>
internal static class CollectionGrid
{
    private sealed record Row(string Id, string Entity, string Name, string Description, bool IsPrivate, int Stars, int Containers,
        long Bytes, DateTime CreatedUpdatedAt, DateTime? ContainerUpdatedAt, bool IsMine, bool StarredByMe)
    {
        public DateTime UpdatedAt => ContainerUpdatedAt > CreatedUpdatedAt ? ContainerUpdatedAt.Value : CreatedUpdatedAt;
    }

    public static IQueryable<Collection> Filtered(RegistryDbContext db, Actor actor, CollectionQuery query)
    {
        var rows = db.Collections.AsNoTracking().VisibleTo(actor);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // The grid's filter ignores case as it did in memory (folded in every script, as label search does).
            var s = query.Search.Trim().ToLowerInvariant();
            rows = rows.Where(c => RegistryDbContext.Fold(c.Entity!.Name + "/" + c.Name).Contains(s) || RegistryDbContext.Fold(c.Description).Contains(s)
                                   || c.Containers.Any(x => RegistryDbContext.Fold(x.Name).Contains(s)));
        }
        var user = actor.UserId;
        return query.Filter switch
        {
            CollectionFilter.Mine when user is null => rows.Where(c => false),
            CollectionFilter.Mine => rows.Where(Visibility.MemberOf(user)),
            CollectionFilter.Starred => rows.Where(c => c.Stars.Any(s => s.UserId == user)),
            _ => rows,
        };
    }

    public static async Task<List<CollectionSummary>> PageAsync(RegistryDbContext db, Actor actor, IQueryable<Collection> filtered,
        string? sortBy, bool descending, int skip, int take, CancellationToken ct)
    {
        var user = actor.UserId ?? ""; // no user id is "": anonymous is nobody's member
        var rows = filtered.Select(c => new
        {
            c.Id, Entity = c.Entity!.Name, c.Name, c.Description, c.IsPrivate, Path = c.Entity.Name + "/" + c.Name,
            // Maintained counters (CollectionCounters): indexed columns, so the default order walks an index instead of
            // counting every visible collection's stars and containers before the first row.
            Stars = c.StarCount, Containers = c.ContainerCount, c.Bytes,
            c.UpdatedAt, ContainerUpdatedAt = c.Containers.Max(x => (DateTime?)x.UpdatedAt),
            IsMine = c.Entity.UserId == user || c.Members.Any(m => m.UserId == user)
                     || (c.Entity.Kind == Entities.EntityKind.Team && c.Entity.Team!.Members.Any(m => m.UserId == user)),
            StarredByMe = c.Stars.Any(s => s.UserId == user),
        });
        // Ties (and the default order's second key) by path, as the in-memory grid sorted.
        var sorted = (sortBy, descending) switch
        {
            (null, _) => rows.OrderByDescending(r => r.Stars).ThenBy(r => r.Path),
            (nameof(CollectionSummary.Stars), false) => rows.OrderBy(r => r.Stars).ThenBy(r => r.Path),
            (nameof(CollectionSummary.Stars), true) => rows.OrderByDescending(r => r.Stars).ThenBy(r => r.Path),
            (nameof(CollectionSummary.Containers), false) => rows.OrderBy(r => r.Containers).ThenBy(r => r.Path),
            (nameof(CollectionSummary.Containers), true) => rows.OrderByDescending(r => r.Containers).ThenBy(r => r.Path),
            (nameof(CollectionSummary.Bytes), false) => rows.OrderBy(r => r.Bytes).ThenBy(r => r.Path),
            (nameof(CollectionSummary.Bytes), true) => rows.OrderByDescending(r => r.Bytes).ThenBy(r => r.Path),
            (nameof(CollectionSummary.UpdatedAt), false) => rows.OrderBy(r => r.ContainerUpdatedAt > r.UpdatedAt ? r.ContainerUpdatedAt : (DateTime?)r.UpdatedAt).ThenBy(r => r.Path),
            (nameof(CollectionSummary.UpdatedAt), true) => rows.OrderByDescending(r => r.ContainerUpdatedAt > r.UpdatedAt ? r.ContainerUpdatedAt : (DateTime?)r.UpdatedAt).ThenBy(r => r.Path),
            (nameof(CollectionSummary.IsPrivate), false) => rows.OrderBy(r => r.IsPrivate).ThenBy(r => r.Path),
            (nameof(CollectionSummary.IsPrivate), true) => rows.OrderByDescending(r => r.IsPrivate).ThenBy(r => r.Path),
            (nameof(CollectionSummary.Name), false) => rows.OrderBy(r => r.Name).ThenBy(r => r.Entity), // sregistry lists by name
            (_, false) => rows.OrderBy(r => r.Path),
            (_, true) => rows.OrderByDescending(r => r.Path),
        };
        // The page's ids first, then its rows: only the order's keys pass through the sort, so a deep page (OFFSET 50,000 at
        // a million images) does not compute the correlated subqueries of every row it skips (216 ms of CPU per request).
        var ids = await sorted.Skip(skip).Take(take).Select(r => r.Id).ToListAsync(ct);
        if (ids.Count == 0) return [];
        var position = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var page = (await rows.Where(r => ids.Contains(r.Id))
            .Select(r => new Row(r.Id, r.Entity, r.Name, r.Description, r.IsPrivate, r.Stars, r.Containers, r.Bytes, r.UpdatedAt, r.ContainerUpdatedAt, r.IsMine, r.StarredByMe))
            .ToListAsync(ct)).OrderBy(r => position[r.Id]).ToList();
        var names = await ContainerNamesAsync(db, page.Select(r => r.Id).ToList(), ct);
        return page.Select(r => new CollectionSummary(r.Id, r.Entity, r.Name, r.Description, r.IsPrivate, r.IsMine, r.StarredByMe, r.Stars,
            r.Containers, r.Bytes, r.UpdatedAt, names[r.Id].Order(StringComparer.Ordinal).ToList())).ToList();
    }

    /// <summary>Container names of the given collections (a page's, so bounded by the page).</summary>
    public static async Task<ILookup<string, string>> ContainerNamesAsync(RegistryDbContext db, List<string> ids, CancellationToken ct) =>
        (await db.Containers.AsNoTracking().Where(x => ids.Contains(x.CollectionId)).Select(x => new { x.CollectionId, x.Name }).ToListAsync(ct))
        .ToLookup(x => x.CollectionId, x => x.Name);
}
