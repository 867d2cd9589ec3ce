using Microsoft.EntityFrameworkCore;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Images;
using Registry.Core.Oci;
using Registry.Core.Tags;

namespace Registry.Core.Search;

/// <summary>
/// Rows whose searched text contains a value (case-insensitive), answered by <see cref="SearchIndex"/>: on SQLite the FTS5
/// trigram tables (a phrase query is a substring match of 3 or more characters), on PostgreSQL LIKE/ILIKE that the pg_trgm
/// GIN indexes serve. Each is a query to compose (visibility, order, limit) in the same SQL. Values need 3 characters:
/// shorter ones have no trigram to look up and match nothing here.
/// </summary>
public static class SearchMatches
{
    public const int MinLength = 3;

    /// <summary>An FTS5 phrase: the value in double quotes, its own quotes doubled; nothing else in it is syntax.</summary>
    // A NUL would end the query text early (SQLite reads it as a C string): none is stored in a searched name.
    private static string Phrase(string value) => "\"" + value.Replace("\0", "").Replace("\"", "\"\"") + "\"";

    /// <summary>A LIKE pattern with the user's %, _ and \ as plain characters (escape character \).</summary>
    private static string Pattern(string value) => $"%{value.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_")}%";

    public static IQueryable<Entity> Entities(RegistryDbContext db, string value)
    {
        if (db.Database.IsSqlite())
            return db.Entities.FromSql($"""SELECT * FROM "Entities" WHERE rowid IN (SELECT rowid FROM "Entities_Search" WHERE "Entities_Search" MATCH {Phrase(value)})""");
        var pattern = Pattern(value);
        return db.Entities.Where(e => EF.Functions.ILike(e.Name, pattern, "\\"));
    }

    /// <summary>Collections whose name or description contains <paramref name="value"/>.</summary>
    public static IQueryable<Collection> Collections(RegistryDbContext db, string value)
    {
        if (db.Database.IsSqlite())
            return db.Collections.FromSql($"""SELECT * FROM "Collections" WHERE rowid IN (SELECT rowid FROM "Collections_Search" WHERE "Collections_Search" MATCH {Phrase(value)})""");
        var pattern = Pattern(value);
        var folded = Pattern(value.ToLowerInvariant());
        return db.Collections.Where(c => EF.Functions.ILike(c.Name, pattern, "\\") || EF.Functions.Like(RegistryDbContext.Fold(c.Description), folded, "\\"));
    }

    /// <summary>Containers whose name or description contains <paramref name="value"/>.</summary>
    public static IQueryable<Container> Containers(RegistryDbContext db, string value)
    {
        if (db.Database.IsSqlite())
            return db.Containers.FromSql($"""SELECT * FROM "Containers" WHERE rowid IN (SELECT rowid FROM "Containers_Search" WHERE "Containers_Search" MATCH {Phrase(value)})""");
        var pattern = Pattern(value);
        var folded = Pattern(value.ToLowerInvariant());
        return db.Containers.Where(x => EF.Functions.ILike(x.Name, pattern, "\\") || EF.Functions.Like(RegistryDbContext.Fold(x.Description), folded, "\\"));
    }

    /// <summary>Library tags whose name contains <paramref name="value"/>.</summary>
    public static IQueryable<Tag> Tags(RegistryDbContext db, string value)
    {
        if (db.Database.IsSqlite())
            return db.Tags.FromSql($"""SELECT * FROM "Tags" WHERE rowid IN (SELECT rowid FROM "Tags_Search" WHERE "Tags_Search" MATCH {Phrase(value)})""");
        var pattern = Pattern(value);
        return db.Tags.Where(t => EF.Functions.ILike(t.Name, pattern, "\\"));
    }

    /// <summary>The <c>/v2/</c> tags (container images, artifacts) whose name contains <paramref name="value"/>.</summary>
    public static IQueryable<OciTag> OciTags(RegistryDbContext db, string value)
    {
        if (db.Database.IsSqlite())
            return db.OciTags.FromSql($"""SELECT * FROM "OciTags" WHERE rowid IN (SELECT rowid FROM "OciTags_Search" WHERE "OciTags_Search" MATCH {Phrase(value)})""");
        var pattern = Pattern(value);
        return db.OciTags.Where(t => EF.Functions.ILike(t.Name, pattern, "\\"));
    }

    /// <summary>The ids of containers with a tag (either face) whose name contains <paramref name="value"/>.</summary>
    public static IQueryable<string> TaggedContainerIds(RegistryDbContext db, string value) =>
        Tags(db, value).Select(t => t.ContainerId).Concat(OciTags(db, value).Select(t => t.ContainerId));

    /// <summary>SIF labels whose key or value contains <paramref name="value"/>.</summary>
    public static IQueryable<ImageLabel> Labels(RegistryDbContext db, string value)
    {
        if (db.Database.IsSqlite())
            return db.ImageLabels.FromSql($"""SELECT * FROM "ImageLabels" WHERE rowid IN (SELECT rowid FROM "ImageLabels_Search" WHERE "ImageLabels_Search" MATCH {Phrase(value)})""");
        var folded = Pattern(value.ToLowerInvariant());
        return db.ImageLabels.Where(l => EF.Functions.Like(RegistryDbContext.Fold(l.Key), folded, "\\") || EF.Functions.Like(RegistryDbContext.Fold(l.Value), folded, "\\"));
    }
}
