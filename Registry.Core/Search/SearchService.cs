using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Images;

namespace Registry.Core.Search;

public sealed record SearchResults(List<Entity> Entities, List<Collection> Collections, List<Container> Containers, List<Image> Images);

/// <summary>Case-insensitive substring search over names, descriptions and tags; private things only for those who may see them.</summary>
public sealed class SearchService(IDbContextFactory<RegistryDbContext> dbFactory)
{
    public const int MaxResults = 200;

    public async Task<Result<SearchResults>> SearchAsync(Actor actor, string? value, IReadOnlyCollection<string> arches, bool signedOnly, CancellationToken ct = default)
    {
        value = value?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(value) || value.Length < 3) return Result.Invalid("search value must be at least 3 characters");
        if (value.Length > 256) return Result.Invalid("search value must be at most 256 characters");
        foreach (var arch in arches)
            if (!Architectures.IsKnown(arch)) return Result.Invalid($"unknown architecture '{arch}'");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var pattern = $"%{value.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_")}%";

        // Names are lower case; descriptions are folded (LIKE ignores ASCII case on SQLite only, none on PostgreSQL).
        // Visibility is decided in memory by the one rule set; candidates are bounded by the LIKE filter and MaxResults.
        // A container is also found by its tags, on both faces: Library tags and the /v2/ tags of container images and
        // other artifacts (as the web search finds them).
        var tagged = db.Tags.Where(t => EF.Functions.Like(t.Name, pattern, "\\")).Select(t => t.ContainerId)
            .Concat(db.OciTags.Where(t => EF.Functions.Like(t.Name, pattern, "\\")).Select(t => t.ContainerId));
        var collections = (await db.Collections.AsNoTracking().WithAccessGraph().Include(c => c.Containers)
                .Where(c => EF.Functions.Like(c.Name, pattern, "\\") || EF.Functions.Like(RegistryDbContext.Fold(c.Description), pattern, "\\")
                            || EF.Functions.Like(c.Entity!.Name, pattern, "\\") || EF.Functions.Like(c.Entity!.Name + "/" + c.Name, pattern, "\\")
                            || c.Containers.Any(x => EF.Functions.Like(c.Entity!.Name + "/" + c.Name + "/" + x.Name, pattern, "\\")
                                             || EF.Functions.Like(RegistryDbContext.Fold(x.Description), pattern, "\\") || tagged.Contains(x.Id)))
                .AsSplitQuery().Take(MaxResults).ToListAsync(ct))
            .Where(c => AccessRules.For(actor, c).CanView).ToList();

        var candidates = collections.SelectMany(c => c.Containers).Select(x => x.Id).ToList();
        var byTag = (await tagged.Where(id => candidates.Contains(id)).Distinct().ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var matched = collections.SelectMany(c => c.Containers.Select(x => { x.Collection = c; return x; }))
            .Where(x => x.Name.Contains(value) || x.Description.Contains(value, StringComparison.OrdinalIgnoreCase)
                        || $"{x.Collection!.Entity!.Name}/{x.Collection.Name}/{x.Name}".Contains(value) || byTag.Contains(x.Id))
            .ToList();
        var matchedIds = matched.Select(x => x.Id).ToList();
        var collectionIds = collections.Select(c => c.Id).ToList();
        var stars = await db.Stars.AsNoTracking().Where(s => collectionIds.Contains(s.CollectionId))
            .GroupBy(s => s.CollectionId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        foreach (var c in collections) c.StarCount = stars.GetValueOrDefault(c.Id);
        var images = await db.Images.AsNoTracking().Include(i => i.Tags)
            .Where(i => matchedIds.Contains(i.ContainerId) && i.Uploaded)
            .Where(i => arches.Count == 0 || arches.Contains(i.Arch!))
            .Where(i => !signedOnly || i.Signed == true)
            .OrderByDescending(i => i.UploadedAt).Take(MaxResults).ToListAsync(ct);
        var byId = matched.ToDictionary(x => x.Id);
        foreach (var image in images) image.Container = byId[image.ContainerId];

        if (arches.Count > 0 || signedOnly) return new SearchResults([], [], [], images);
        // Containers as GET /v1/containers shows them: every image, with its tags.
        var containers = matched.Take(MaxResults).ToList();
        var containerIds = containers.Select(x => x.Id).ToList();
        var versions = (await db.Images.AsNoTracking().Include(i => i.Tags).Where(i => containerIds.Contains(i.ContainerId))
            .OrderBy(i => i.CreatedAt).ToListAsync(ct)).ToLookup(i => i.ContainerId);
        foreach (var x in containers)
        {
            x.Images = versions[x.Id].ToList();
            x.Tags = x.Images.SelectMany(i => i.Tags).OrderBy(t => t.Id).ToList();
        }
        await FillSizesAsync(db, collections, ct);

        var entities = collections.Select(c => c.Entity!).Where(e => e.Name.Contains(value)).DistinctBy(e => e.Id).ToList();
        // Fix-up filled each entity's list with every loaded collection, private ones included: keep the visible ones.
        foreach (var entity in entities)
        {
            entity.Collections = collections.Where(c => c.EntityId == entity.Id).ToList();
            entity.Size = entity.Collections.Sum(c => c.Size);
        }
        // A query naming the entity (or "entity/collection") lists its collections too, as it already lists their containers.
        var matchingCollections = collections.Where(c => $"{c.Entity!.Name}/{c.Name}".Contains(value)
                                                         || c.Description.Contains(value, StringComparison.OrdinalIgnoreCase)).ToList();
        return new SearchResults(entities, matchingCollections, containers, images);
    }

    /// <summary>Sizes of the collections and their containers, summed in SQL (counted as in <see cref="Entity.Size"/>).</summary>
    private static async Task FillSizesAsync(RegistryDbContext db, List<Collection> collections, CancellationToken ct)
    {
        var ids = collections.Select(c => c.Id).ToList();
        var sizes = (await db.Images.AsNoTracking().Where(i => i.Uploaded && ids.Contains(i.Container!.CollectionId))
            .GroupBy(i => i.ContainerId).Select(g => new { g.Key, Size = g.Sum(i => i.Size) }).ToListAsync(ct))
            .ToDictionary(g => g.Key, g => g.Size);
        foreach (var c in collections)
        {
            foreach (var x in c.Containers) x.Size = sizes.GetValueOrDefault(x.Id);
            c.Size = c.Containers.Sum(x => x.Size);
        }
    }
}
