using Microsoft.EntityFrameworkCore;

namespace Registry.Core.Search;

/// <summary>
/// The indexes that make search cost its matches, not the registry (issue 18). Every searched text column is indexed for
/// substring match: on SQLite an FTS5 table with the <c>trigram</c> tokenizer per searched table, on PostgreSQL a
/// <c>pg_trgm</c> GIN index per column. <see cref="SearchMatches"/> asks them.
/// SQLite's are external-content tables (the text is stored once, in the table itself) kept by triggers, as
/// <see cref="Collections.CollectionCounters"/> are: every path that writes (EF saves, ExecuteDelete, FK cascades, the admin
/// CLI, the bench seeder's plain SQL) keeps them exact inside its own transaction, and the triggers use only built-in SQL
/// (no <c>registry_fold</c>, which the sqlite3 CLI lacks): FTS5 folds case itself. The migration SearchIndex creates them
/// from the SQL here and fills them from the existing rows ('rebuild'). A later SQLite migration that rebuilds one of
/// these tables drops its triggers and must run them (and the rebuild) again: SearchIndexTests fail until it does.
/// </summary>
public static class SearchIndex
{
    /// <summary>Searched tables and their text columns (the FTS table of each is <c>{Table}_Search</c>).</summary>
    public static readonly (string Table, string[] Columns)[] Indexed =
    [
        ("Entities", ["Name"]),
        ("Collections", ["Name", "Description"]),
        ("Containers", ["Name", "Description"]),
        ("Tags", ["Name"]),
        ("OciTags", ["Name"]),
        ("ImageLabels", ["Key", "Value"]),
    ];

    public static void Configure(ModelBuilder b, bool sqlite)
    {
        if (!sqlite) return;
        // SQLite's RETURNING does not mix with AFTER triggers (dotnet/efcore#29811): these tables save the older way.
        b.Entity<Entities.Entity>().ToTable(t => t.UseSqlReturningClause(false));
        b.Entity<Collections.Collection>().ToTable(t => t.UseSqlReturningClause(false));
        b.Entity<Tags.Tag>().ToTable(t => t.UseSqlReturningClause(false));
        b.Entity<Oci.OciTag>().ToTable(t => t.UseSqlReturningClause(false));
        b.Entity<Images.ImageLabel>().ToTable(t => t.UseSqlReturningClause(false));
    }

    /// <summary>The FTS5 tables, their triggers and their fill, for one table (rowids are the table's own).</summary>
    public static IEnumerable<string> SqliteCreate(string table, string[] columns)
    {
        var fts = $"{table}_Search";
        var names = string.Join(", ", columns.Select(c => $"\"{c}\""));
        string Values(string row) => string.Join(", ", columns.Select(c => $"{row}.\"{c}\""));
        var delete = $"INSERT INTO \"{fts}\"(\"{fts}\", rowid, {names}) VALUES ('delete', OLD.rowid, {Values("OLD")});";
        var insert = $"INSERT INTO \"{fts}\"(rowid, {names}) VALUES (NEW.rowid, {Values("NEW")});";
        yield return $"CREATE VIRTUAL TABLE \"{fts}\" USING fts5({string.Join(", ", columns)}, content='{table}', tokenize='trigram');";
        yield return $"CREATE TRIGGER \"{fts}_Insert\" AFTER INSERT ON \"{table}\" BEGIN {insert} END;";
        yield return $"CREATE TRIGGER \"{fts}_Delete\" AFTER DELETE ON \"{table}\" BEGIN {delete} END;";
        yield return $"CREATE TRIGGER \"{fts}_Update\" AFTER UPDATE OF {names} ON \"{table}\" BEGIN {delete} {insert} END;";
        yield return $"INSERT INTO \"{fts}\"(\"{fts}\") VALUES ('rebuild');";
    }

    public static IEnumerable<string> SqliteCreateAll => Indexed.SelectMany(i => SqliteCreate(i.Table, i.Columns));

    public static IEnumerable<string> SqliteDropAll => Indexed.SelectMany(i => new[]
    {
        $"DROP TRIGGER \"{i.Table}_Search_Insert\";", $"DROP TRIGGER \"{i.Table}_Search_Delete\";",
        $"DROP TRIGGER \"{i.Table}_Search_Update\";", $"DROP TABLE \"{i.Table}_Search\";",
    });

    /// <summary>
    /// Names (lower case by rule) and tags are matched with ILIKE on the column; descriptions and labels with LIKE on their
    /// <c>registry_fold</c> (ICU's lower(): the same folding in every script whatever the database's ctype, as before), so
    /// each index is on what the query compares. pg_trgm lowers its trigrams itself, so the name indexes serve ILIKE.
    /// </summary>
    public static readonly (string Name, string Table, string Expression)[] PostgresIndexes =
    [
        ("IX_Entities_Name_Trgm", "Entities", "\"Name\""),
        ("IX_Collections_Name_Trgm", "Collections", "\"Name\""),
        ("IX_Collections_Description_Trgm", "Collections", "registry_fold(\"Description\")"),
        ("IX_Containers_Name_Trgm", "Containers", "\"Name\""),
        ("IX_Containers_Description_Trgm", "Containers", "registry_fold(\"Description\")"),
        ("IX_Tags_Name_Trgm", "Tags", "\"Name\""),
        ("IX_OciTags_Name_Trgm", "OciTags", "\"Name\""),
        ("IX_ImageLabels_Key_Trgm", "ImageLabels", "registry_fold(\"Key\")"),
        ("IX_ImageLabels_Value_Trgm", "ImageLabels", "registry_fold(\"Value\")"),
    ];

    public static IEnumerable<string> PostgresCreateAll =>
        new[] { "CREATE EXTENSION IF NOT EXISTS pg_trgm;" }
            .Concat(PostgresIndexes.Select(i => $"CREATE INDEX \"{i.Name}\" ON \"{i.Table}\" USING gin ({i.Expression} gin_trgm_ops);"));

    public static IEnumerable<string> PostgresDropAll => PostgresIndexes.Select(i => $"DROP INDEX \"{i.Name}\";");
}
