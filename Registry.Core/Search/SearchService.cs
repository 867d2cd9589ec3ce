using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Images;

namespace Registry.Core.Search;

public sealed record SearchResults(List<Entity> Entities, List<Collection> Collections, List<Container> Containers, List<Image> Images);

/// <summary>
/// Case-insensitive substring search over names, descriptions and tags; private things only for those who may see them.
/// Every list is found through the search indexes (<see cref="SearchIndex"/>), filtered by the SQL visibility rule
/// (<see cref="Visibility"/>), ordered and cut to <see cref="MaxResults"/> in the same query: a search costs its matches
/// and a page of results, whatever the size of the registry.
/// </summary>
public sealed class SearchService(IDbContextFactory<RegistryDbContext> dbFactory)
{
    public const int MaxResults = 200;

    /// <summary>
    /// Entities, collections and containers (most recently updated first), and the uploaded images of those containers
    /// (newest first); with <paramref name="arches"/> or <paramref name="signedOnly"/>, only the images that match those.
    /// A value needs 3 characters (the Library client refuses shorter ones, and a trigram index has nothing to look up).
    /// </summary>
    public async Task<Result<SearchResults>> SearchAsync(Actor actor, string? value, IReadOnlyCollection<string> arches, bool signedOnly, CancellationToken ct = default)
    {
        value = value?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(value) || value.Length < SearchMatches.MinLength) return Result.Invalid("search value must be at least 3 characters");
        if (value.Length > 256) return Result.Invalid("search value must be at most 256 characters");
        if (value.Any(char.IsControl)) return Result.Invalid("search value must not contain control characters");
        foreach (var arch in arches)
            if (!Architectures.IsKnown(arch)) return Result.Invalid($"unknown architecture '{arch}'");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = db.Collections.VisibleTo(actor);
        var containers = await SearchQueries.Containers(db, visible, value).AsNoTracking()
            .Include(x => x.Collection!).ThenInclude(c => c.Entity)
            .OrderByDescending(x => x.UpdatedAt).ThenBy(x => x.Id).Take(MaxResults).ToListAsync(ct);
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

        var collections = await SearchQueries.Collections(db, visible, value).AsNoTracking().Include(c => c.Entity).Include(c => c.Containers)
            .OrderByDescending(c => c.UpdatedAt).ThenBy(c => c.Id).Take(MaxResults).AsSplitQuery().ToListAsync(ct);
        var entities = await EntitiesAsync(db, visible, value, ct);
        await FillSizesAsync(db, collections.Concat(entities.SelectMany(e => e.Collections)).ToList(), ct);
        foreach (var entity in entities) entity.Size = entity.Collections.Sum(c => c.Size);
        return new SearchResults(entities, collections, containers, images);
    }

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
