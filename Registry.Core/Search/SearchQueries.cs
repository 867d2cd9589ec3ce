using System.Linq.Expressions;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Data;

namespace Registry.Core.Search;

/// <summary>
/// What a search value matches, as queries the indexes answer (<see cref="SearchMatches"/>), to be filtered by visibility,
/// ordered and limited in the same SQL. A container matches by its name or description, by a tag (either face), or by its
/// path "entity/collection/container" containing the value; a collection by its name or description or its path
/// "entity/collection". A path is not indexed as a whole: its candidates are the rows under the entities, collections and
/// containers whose names contain the value's longest slash-separated part (3 characters at least, or a value with a
/// slash matches by path nothing more), and the whole path is compared on those only.
/// </summary>
internal static class SearchQueries
{
    /// <summary>The longest part between slashes; the value itself when it has none.</summary>
    private static string PathKey(string value) => value.Split('/').MaxBy(p => p.Length)!;

    /// <summary>Ids of the collections under whose path a value with this key may lie: its name or its entity's name has the key.</summary>
    private static IQueryable<string> PathCollectionIds(RegistryDbContext db, string key)
    {
        var entities = SearchMatches.Entities(db, key).Select(e => e.Id);
        return SearchMatches.Collections(db, key).Select(c => c.Id)
            .Concat(db.Collections.Where(c => entities.Contains(c.EntityId)).Select(c => c.Id));
    }

    /// <summary>The ids of the containers the value matches (duplicates included), as the indexes find them.</summary>
    public static IQueryable<string> ContainerIds(RegistryDbContext db, string value)
    {
        var ids = SearchMatches.Containers(db, value).Select(x => x.Id).Concat(SearchMatches.TaggedContainerIds(db, value));
        var key = PathKey(value);
        if (key.Length >= SearchMatches.MinLength)
        {
            IQueryable<string> OnPath(IQueryable<Container> candidates) =>
                candidates.Where(x => (x.Collection!.Entity!.Name + "/" + x.Collection.Name + "/" + x.Name).Contains(value)).Select(x => x.Id);
            var collections = PathCollectionIds(db, key);
            ids = ids.Concat(OnPath(db.Containers.Where(x => collections.Contains(x.CollectionId))));
            if (key != value) ids = ids.Concat(OnPath(SearchMatches.Containers(db, key))); // "tools/dem": the key is a container's
        }
        return ids;
    }

    /// <summary>
    /// The match of <see cref="ContainerIds"/> tested on one container, for walking them newest-first (<see cref="NewestMatches"/>):
    /// names are lower case by rule, tags ASCII, descriptions folded as PostgreSQL's index folds them.
    /// </summary>
    public static Expression<Func<Container, bool>> ContainerMatch(RegistryDbContext db, string value)
    {
        var onPath = PathKey(value).Length >= SearchMatches.MinLength;
        var tags = db.Tags;
        var ociTags = db.OciTags;
        return x => x.Name.Contains(value) || RegistryDbContext.Fold(x.Description).Contains(value)
            || tags.Any(t => t.ContainerId == x.Id && t.Name.ToLower().Contains(value))
            || ociTags.Any(t => t.ContainerId == x.Id && t.Name.ToLower().Contains(value))
            || (onPath && (x.Collection!.Entity!.Name + "/" + x.Collection.Name + "/" + x.Name).Contains(value));
    }

    public static IQueryable<Collection> Collections(RegistryDbContext db, IQueryable<Collection> visible, string value)
    {
        var ids = SearchMatches.Collections(db, value).Select(c => c.Id);
        var key = PathKey(value);
        if (key.Length >= SearchMatches.MinLength)
        {
            var candidates = PathCollectionIds(db, key);
            ids = ids.Concat(db.Collections.Where(c => candidates.Contains(c.Id) && (c.Entity!.Name + "/" + c.Name).Contains(value)).Select(c => c.Id));
        }
        return visible.Where(c => ids.Contains(c.Id));
    }
}
