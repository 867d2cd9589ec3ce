using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;

namespace Registry.Core.Collections;

/// <summary>
/// Read models of the web UI: the collections grid, home page counts and the treemap. Visibility is a SQL filter
/// (<see cref="Visibility"/>, the rule of <see cref="AccessRules"/>), lists are paged in SQL, and the aggregates over
/// everything visible are kept until the next write (<see cref="ViewerCache"/>).
/// </summary>
public sealed class CollectionBrowser(IDbContextFactory<RegistryDbContext> dbFactory, ViewerCache cache)
{
    internal Search.NewestMatches Matches { get; init; } = Search.NewestMatches.Default;

    public async Task<CollectionPage> PageAsync(Actor actor, CollectionQuery query, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var filtered = CollectionGrid.Filtered(db, actor, query);
        var total = await filtered.CountAsync(ct);
        var size = Math.Clamp(query.PageSize, 1, 500);
        var skip = Math.Max(0, query.Page) * size;
        var items = skip >= total ? [] : await CollectionGrid.PageAsync(db, actor, filtered, query.SortBy, query.Descending, skip, size, ct);
        return new CollectionPage(items, total);
    }

    public Task<RegistryStats> StatsAsync(Actor actor, CancellationToken ct = default) =>
        cache.GetAsync("HomeCounts", actor, async () =>
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var visible = db.Collections.AsNoTracking().VisibleTo(actor);
            var containers = db.Containers.AsNoTracking().Where(x => visible.Any(c => c.Id == x.CollectionId));
            var uploaded = db.Images.AsNoTracking().Where(i => i.Uploaded && visible.Any(c => c.Id == i.Container!.CollectionId));
            var images = await uploaded.CountAsync();
            // Uploaded images and what /v2/ stores (container images, artifacts): in full each, and each distinct file once.
            var blobs = Oci.OciStoredBlobs.Images(db).Concat(Oci.OciStoredBlobs.Of(db)).Where(b => visible.Any(c => c.Id == b.CollectionId));
            var bytes = await blobs.SumAsync(b => (long?)b.Size) ?? 0;
            var stored = await blobs.Select(b => new { b.Hash, b.Size }).Distinct().SumAsync(x => (long?)x.Size) ?? 0;
            return new RegistryStats(await visible.CountAsync(), await containers.CountAsync(), images, bytes, stored);
        });

    /// <summary>The most recently updated visible containers: the UpdatedAt index walked from the newest, so a page of them costs a page.</summary>
    public async Task<List<RecentContainer>> RecentAsync(Actor actor, int take, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = db.Collections.VisibleTo(actor);
        var recent = await db.Containers.AsNoTracking().Where(x => visible.Any(c => c.Id == x.CollectionId))
            .OrderByDescending(x => x.UpdatedAt).Take(take)
            .Select(x => new { x.Id, Entity = x.Collection!.Entity!.Name, Collection = x.Collection.Name, x.Name, x.UpdatedAt })
            .ToListAsync(ct);
        // Their tags by their keys in a second query: a Take inside the projection becomes ROW_NUMBER() over every tag row.
        var ids = recent.Select(r => r.Id).ToList();
        var tags = (await db.Tags.AsNoTracking().Where(t => ids.Contains(t.ContainerId)).Select(t => new { t.ContainerId, t.Name, t.UpdatedAt })
            .ToListAsync(ct)).ToLookup(t => t.ContainerId);
        return recent.Select(r => new RecentContainer(r.Entity, r.Collection, r.Name, r.UpdatedAt,
            tags[r.Id].OrderByDescending(t => t.UpdatedAt).Select(t => t.Name).Take(8).Distinct().ToList())).ToList();
    }

    /// <summary>Containers the collection page shows at a time.</summary>
    public const int ContainersPerPage = 50;

    /// <summary>
    /// A visible collection with one page of its containers (by name, paged in SQL: a collection of thousands costs a
    /// page), their tags and images, and what the actor may do there.
    /// </summary>
    public async Task<Result<CollectionView>> OpenAsync(Actor actor, string entity, string name, int page = 0, CancellationToken ct = default)
    {
        if (!Names.IsValid(entity) || !Names.IsValid(name)) return Result.NotFound($"collection {entity}/{name} not found");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.AsNoTracking().WithAccessGraph().AsSplitQuery()
            .FirstOrDefaultAsync(c => c.Name == name && c.Entity!.Name == entity, ct);
        var access = collection is null ? CollectionAccess.None : AccessRules.For(actor, collection);
        if (!access.CanView) return Result.NotFound($"collection {entity}/{name} not found");
        var containers = await db.Containers.AsNoTracking().Include(x => x.Tags).Include(x => x.Images).AsSplitQuery()
            .Where(x => x.CollectionId == collection!.Id).OrderBy(x => x.Name)
            .Skip(Math.Max(0, page) * ContainersPerPage).Take(ContainersPerPage).ToListAsync(ct);
        return new CollectionView(collection!, containers, access);
    }

    /// <summary>
    /// Containers with a tag whose name contains <paramref name="value"/>: Library tags and the <c>/v2/</c> tags of container
    /// images and other artifacts (the Core search covers names and descriptions), found through the search index
    /// (<see cref="Search.SearchMatches"/>; a value of fewer than 3 characters finds nothing), newest first.
    /// </summary>
    public async Task<List<RecentContainer>> TagMatchesAsync(Actor actor, string value, int take, CancellationToken ct = default)
    {
        value = value.Trim().ToLowerInvariant();
        if (value.Length < Search.SearchMatches.MinLength) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (tags, ociTags) = (db.Tags, db.OciTags);
        // Tag names are ASCII: lower() folds them as the index does.
        var ids = await Matches.ContainerIdsAsync(db, db.Collections.VisibleTo(actor), Search.SearchMatches.TaggedContainerIds(db, value),
            x => tags.Any(t => t.ContainerId == x.Id && t.Name.ToLower().Contains(value)) || ociTags.Any(t => t.ContainerId == x.Id && t.Name.ToLower().Contains(value)),
            take, ct);
        var containers = await db.Containers.AsNoTracking().Where(x => ids.Contains(x.Id))
            .Select(x => new { x.Id, Entity = x.Collection!.Entity!.Name, Collection = x.Collection.Name, x.Name, x.UpdatedAt }).ToListAsync(ct);
        var names = (await tags.Where(t => ids.Contains(t.ContainerId) && t.Name.ToLower().Contains(value)).Select(t => new { t.ContainerId, t.Name })
                .Concat(ociTags.Where(t => ids.Contains(t.ContainerId) && t.Name.ToLower().Contains(value)).Select(t => new { t.ContainerId, t.Name }))
                .ToListAsync(ct)).ToLookup(t => t.ContainerId, t => t.Name);
        return Search.NewestMatches.InOrder(containers, x => x.Id, ids)
            .Select(x => new RecentContainer(x.Entity, x.Collection, x.Name, x.UpdatedAt, names[x.Id].Distinct().Order(StringComparer.Ordinal).ToList()))
            .ToList();
    }

    /// <summary>Collections the treemap draws; the rest are one "others" box.</summary>
    public const int TreemapLargest = 300;

    /// <summary>
    /// The <paramref name="largest"/> visible collections with the most bytes (uploaded images and what <c>/v2/</c> stores) (their maintained
    /// <see cref="Collection.Bytes"/>, walked by its index with a LIMIT) with their containers' bytes (a blob shared by two
    /// containers counts in both: the logical size) and stored bytes (each distinct file once); how many other visible
    /// collections hold bytes and their bytes; and the stored bytes of all of them together (the home counts' figure).
    /// </summary>
    public Task<StorageOverview> StorageAsync(Actor actor, int largest = TreemapLargest) =>
        cache.GetAsync($"Treemap{largest}", actor, async () =>
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var holding = db.Collections.AsNoTracking().VisibleTo(actor).Where(c => c.Bytes > 0);
            var top = await holding.OrderByDescending(c => c.Bytes).ThenBy(c => c.Id).Take(largest)
                .Select(c => new { c.Id, Entity = c.Entity!.Name, c.Name, c.IsPrivate }).ToListAsync();
            var ids = top.Select(c => c.Id).ToList();
            // Uploaded images and /v2/ manifests' blobs, as Collection.Bytes counts them.
            var uploaded = Oci.OciStoredBlobs.Images(db).Concat(Oci.OciStoredBlobs.Of(db)).Where(b => ids.Contains(b.CollectionId));
            var containers = (await uploaded.GroupBy(b => new { b.CollectionId, b.Container })
                .Select(g => new { g.Key.CollectionId, Name = g.Key.Container, Bytes = g.Sum(b => b.Size) }).ToListAsync()).ToLookup(x => x.CollectionId);
            var stored = (await uploaded.Select(b => new { b.CollectionId, b.Hash, b.Size }).Distinct()
                .GroupBy(x => x.CollectionId).Select(g => new { g.Key, Bytes = g.Sum(x => x.Size) }).ToListAsync()).ToDictionary(x => x.Key, x => x.Bytes);
            var collections = top.Select(c => new CollectionStorage(c.Entity, c.Name, c.IsPrivate,
                    containers[c.Id].Select(x => new ContainerStorage(x.Name, x.Bytes)).ToList(), stored.GetValueOrDefault(c.Id)))
                .OrderByDescending(c => c.Bytes).ToList();
            // All holding collections' count and bytes from the maintained column (no image row read); the top ones subtracted.
            var count = await holding.CountAsync();
            var bytes = await holding.SumAsync(c => (long?)c.Bytes) ?? 0;
            var stats = await StatsAsync(actor);
            return new StorageOverview(collections, count - collections.Count, bytes - collections.Sum(c => c.Bytes), stats.StoredBytes);
        });
}
