using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Images;

namespace Registry.Core.Search;

public sealed record SearchResults(List<Entity> Entities, List<Collection> Collections, List<Container> Containers, List<Image> Images);

/// <summary>What the search page shows: the newest matching collections and containers, and whether there are more.</summary>
public sealed record SearchHits(List<Collection> Collections, List<Container> Containers, IReadOnlySet<string> SignedContainerIds, bool More);

/// <summary>
/// Case-insensitive substring search over names, descriptions and tags; private things only for those who may see them.
/// Every list is found through the search indexes (<see cref="SearchIndex"/>), filtered by the SQL visibility rule
/// (<see cref="Visibility"/>), ordered and cut to <see cref="MaxResults"/> in SQL; containers by <see cref="NewestMatches"/>,
/// so a value in one container of twenty costs no more than a rare one. Then only the rows shown are loaded.
/// </summary>
public sealed class SearchService(IDbContextFactory<RegistryDbContext> dbFactory)
{
    public const int MaxResults = 200;

    internal NewestMatches Matches { get; init; } = NewestMatches.Default;

    /// <summary>
    /// Entities, collections and containers (most recently updated first), and the uploaded images of those containers
    /// (newest first); with <paramref name="arches"/> or <paramref name="signedOnly"/>, only the images that match those.
    /// A value needs 3 characters (the Library client refuses shorter ones, and a trigram index has nothing to look up).
    /// </summary>
    public async Task<Result<SearchResults>> SearchAsync(Actor actor, string? value, IReadOnlyCollection<string> arches, bool signedOnly, CancellationToken ct = default)
    {
        if (Problem(value) is { } problem) return Result.Invalid(problem);
        value = Normalized(value);
        foreach (var arch in arches)
            if (!Architectures.IsKnown(arch)) return Result.Invalid($"unknown architecture '{arch}'");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = db.Collections.VisibleTo(actor);
        var containers = await ContainersAsync(db, visible, value, MaxResults, ct);
        var containerIds = containers.Select(x => x.Id).ToList();
        var images = await db.Images.AsNoTracking().Include(i => i.Tags)
            .Where(i => containerIds.Contains(i.ContainerId) && i.Uploaded)
            .Where(i => arches.Count == 0 || arches.Contains(i.Arch!))
            .Where(i => !signedOnly || i.Signed == true)
            .OrderByDescending(i => i.UploadedAt).ThenBy(i => i.Id).Take(MaxResults).ToListAsync(ct);
        var byId = containers.ToDictionary(x => x.Id);
        foreach (var image in images) image.Container = byId[image.ContainerId];
        if (arches.Count > 0 || signedOnly) return new SearchResults([], [], [], images);

        // Containers as GET /v1/containers shows them: every image, with its tags.
        var versions = (await db.Images.AsNoTracking().Include(i => i.Tags).Where(i => containerIds.Contains(i.ContainerId))
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).ToListAsync(ct)).ToLookup(i => i.ContainerId);
        foreach (var x in containers)
        {
            x.Images = versions[x.Id].ToList();
            x.Tags = x.Images.SelectMany(i => i.Tags).OrderBy(t => t.Id).ToList();
            x.Size = x.Images.Where(i => i.Uploaded).Sum(i => i.Size);
        }

        var collections = await CollectionsAsync(db, visible, value, MaxResults, ct);
        // Collections as the Library API shows them: with the ids of their containers (ids only, not the rows).
        var collectionIds = collections.Select(c => c.Id).ToList();
        var held = (collectionIds.Count == 0 ? [] : await db.Containers.AsNoTracking().Where(x => collectionIds.Contains(x.CollectionId))
            .Select(x => new { x.CollectionId, x.Id }).ToListAsync(ct)).ToLookup(x => x.CollectionId, x => x.Id);
        foreach (var c in collections) c.Containers = held[c.Id].Order(StringComparer.Ordinal).Select(id => new Container { Id = id, CollectionId = c.Id }).ToList();
        var entities = await EntitiesAsync(db, visible, value, ct);
        await FillSizesAsync(db, collections.Concat(entities.SelectMany(e => e.Collections)).ToList(), ct);
        foreach (var entity in entities) entity.Size = entity.Collections.Sum(c => c.Size);
        return new SearchResults(entities, collections, containers, images);
    }

    /// <summary>
    /// The search page's lists: up to <paramref name="take"/> collections and containers, newest first, with their entity
    /// (no images, tags or sizes), which containers hold a signed image, and whether either list had more.
    /// </summary>
    public async Task<Result<SearchHits>> FindAsync(Actor actor, string? value, int take, CancellationToken ct = default)
    {
        if (Problem(value) is { } problem) return Result.Invalid(problem);
        value = Normalized(value);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = db.Collections.VisibleTo(actor);
        var containers = await ContainersAsync(db, visible, value, take + 1, ct);
        var collections = await CollectionsAsync(db, visible, value, take + 1, ct);
        var more = containers.Count > take || collections.Count > take;
        containers = containers.Take(take).ToList();
        var ids = containers.Select(x => x.Id).ToList();
        var signed = await db.Images.Where(i => ids.Contains(i.ContainerId) && i.Uploaded && i.Signed == true)
            .Select(i => i.ContainerId).Distinct().ToListAsync(ct);
        return new SearchHits(collections.Take(take).ToList(), containers, signed.ToHashSet(), more);
    }

    private static string Normalized(string? value) => (value ?? "").Trim().ToLowerInvariant();

    /// <summary>Why a search value can't be searched, or null.</summary>
    private static string? Problem(string? raw)
    {
        var value = Normalized(raw);
        if (value.Length < SearchMatches.MinLength) return "search value must be at least 3 characters";
        if (value.Length > 256) return "search value must be at most 256 characters";
        if (value.Any(char.IsControl)) return "search value must not contain control characters";
        return null;
    }

    /// <summary>The newest matching visible containers (<see cref="NewestMatches"/>), each with its collection and entity.</summary>
    private async Task<List<Container>> ContainersAsync(RegistryDbContext db, IQueryable<Collection> visible, string value, int take, CancellationToken ct)
    {
        var ids = await Matches.ContainerIdsAsync(db, visible, SearchQueries.ContainerIds(db, value), SearchQueries.ContainerMatch(db, value), take, ct);
        var rows = await db.Containers.AsNoTracking().Include(x => x.Collection!).ThenInclude(c => c.Entity)
            .Where(x => ids.Contains(x.Id)).ToListAsync(ct);
        return NewestMatches.InOrder(rows, x => x.Id, ids);
    }

    private static Task<List<Collection>> CollectionsAsync(RegistryDbContext db, IQueryable<Collection> visible, string value, int take, CancellationToken ct) =>
        SearchQueries.Collections(db, visible, value).AsNoTracking().Include(c => c.Entity)
            .OrderByDescending(c => c.UpdatedAt).ThenBy(c => c.Id).Take(take).ToListAsync(ct);

    /// <summary>Entities whose name contains the value and that have a collection the actor sees; each with those collections only.</summary>
    private static async Task<List<Entity>> EntitiesAsync(RegistryDbContext db, IQueryable<Collection> visible, string value, CancellationToken ct)
    {
        var entities = await SearchMatches.Entities(db, value).AsNoTracking().Where(e => visible.Any(c => c.EntityId == e.Id))
            .OrderBy(e => e.Name).Take(MaxResults).ToListAsync(ct);
        var ids = entities.Select(e => e.Id).ToList();
        if (ids.Count == 0) return entities;
        var collections = (await visible.AsNoTracking().Where(c => ids.Contains(c.EntityId)).OrderBy(c => c.Name).ThenBy(c => c.Id)
            .ToListAsync(ct)).ToLookup(c => c.EntityId);
        foreach (var entity in entities) entity.Collections = collections[entity.Id].ToList();
        return entities;
    }

    /// <summary>Sizes of the collections: their uploaded images, summed in SQL per collection (counted as in <see cref="Entity.Size"/>).</summary>
    private static async Task FillSizesAsync(RegistryDbContext db, List<Collection> collections, CancellationToken ct)
    {
        var ids = collections.Select(c => c.Id).Distinct().ToList();
        var sizes = await db.Images.AsNoTracking().Where(i => i.Uploaded && ids.Contains(i.Container!.CollectionId))
            .GroupBy(i => i.Container!.CollectionId).Select(g => new { g.Key, Size = g.Sum(i => i.Size) })
            .ToDictionaryAsync(g => g.Key, g => g.Size, ct);
        foreach (var c in collections) c.Size = sizes.GetValueOrDefault(c.Id);
    }
}
