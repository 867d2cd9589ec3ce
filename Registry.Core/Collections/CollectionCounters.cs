using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Registry.Core.Containers;
using Registry.Core.Images;

namespace Registry.Core.Collections;

/// <summary>
/// <see cref="Collection.StarCount"/>, <see cref="Collection.ContainerCount"/> and <see cref="Collection.Bytes"/> are kept by
/// database triggers on Stars, Containers and Images, so every path that writes them (EF saves, ExecuteDelete/Update, FK
/// cascades, gc, the admin CLI, the bench seeder) keeps them exact, inside the writing transaction: the grid sorts and the
/// treemap picks its largest by an index instead of counting every collection's rows per request.
/// The migration CollectionCounters creates the triggers from the SQL here. A later SQLite migration that rebuilds Stars,
/// Containers or Images (EF copies the table, which drops its triggers) must run them again: CollectionCounterTests fail until it does.
/// What <c>/v2/</c> stores is added to Bytes by <see cref="OciCollectionBytes"/>' triggers.
/// </summary>
public static class CollectionCounters
{
    public static void Configure(ModelBuilder b, bool sqlite)
    {
        b.Entity<Collection>(e =>
        {
            e.HasIndex(x => x.StarCount);
            e.HasIndex(x => x.ContainerCount);
            e.HasIndex(x => x.Bytes);
            // The database owns these after insert: an update of a loaded collection never writes a stale count back.
            foreach (var p in new[] { nameof(Collection.StarCount), nameof(Collection.ContainerCount), nameof(Collection.Bytes) })
                e.Property(p).Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
        });
        if (!sqlite) return;
        // SQLite's RETURNING does not mix with AFTER triggers (dotnet/efcore#29811): these tables save the older way.
        b.Entity<Star>().ToTable(t => t.UseSqlReturningClause(false));
        b.Entity<Container>().ToTable(t => t.UseSqlReturningClause(false));
        b.Entity<Image>().ToTable(t => t.UseSqlReturningClause(false));
        b.Entity<Oci.OciManifest>().ToTable(t => t.UseSqlReturningClause(false)); // OciCollectionBytes' triggers
        b.Entity<Oci.OciManifestRef>().ToTable(t => t.UseSqlReturningClause(false));
    }

    /// <summary>Sets every collection's counters from its rows (the migration's fill, and a repair).</summary>
    public const string RecountSql = """
        UPDATE "Collections" SET
            "StarCount" = (SELECT COUNT(*) FROM "Stars" s WHERE s."CollectionId" = "Collections"."Id"),
            "ContainerCount" = (SELECT COUNT(*) FROM "Containers" x WHERE x."CollectionId" = "Collections"."Id"),
            "Bytes" = COALESCE((SELECT SUM(i."Size") FROM "Images" i JOIN "Containers" x ON x."Id" = i."ContainerId"
                                WHERE x."CollectionId" = "Collections"."Id" AND i."Uploaded"), 0);
        """;

    // A container's delete subtracts its images BEFORE the row goes: its images' own delete triggers (an FK cascade after
    // the container row is gone) then find no collection and change nothing, on both databases.
    public static readonly string[] SqliteTriggers =
    [
        """CREATE TRIGGER "Stars_Count_Insert" AFTER INSERT ON "Stars" BEGIN UPDATE "Collections" SET "StarCount" = "StarCount" + 1 WHERE "Id" = NEW."CollectionId"; END;""",
        """CREATE TRIGGER "Stars_Count_Delete" AFTER DELETE ON "Stars" BEGIN UPDATE "Collections" SET "StarCount" = "StarCount" - 1 WHERE "Id" = OLD."CollectionId"; END;""",
        """
        CREATE TRIGGER "Stars_Count_Move" AFTER UPDATE OF "CollectionId" ON "Stars" WHEN OLD."CollectionId" <> NEW."CollectionId" BEGIN
            UPDATE "Collections" SET "StarCount" = "StarCount" - 1 WHERE "Id" = OLD."CollectionId";
            UPDATE "Collections" SET "StarCount" = "StarCount" + 1 WHERE "Id" = NEW."CollectionId";
        END;
        """,
        """CREATE TRIGGER "Containers_Count_Insert" AFTER INSERT ON "Containers" BEGIN UPDATE "Collections" SET "ContainerCount" = "ContainerCount" + 1 WHERE "Id" = NEW."CollectionId"; END;""",
        """
        CREATE TRIGGER "Containers_Count_Delete" BEFORE DELETE ON "Containers" BEGIN
            UPDATE "Collections" SET "ContainerCount" = "ContainerCount" - 1,
                "Bytes" = "Bytes" - COALESCE((SELECT SUM("Size") FROM "Images" WHERE "ContainerId" = OLD."Id" AND "Uploaded"), 0)
            WHERE "Id" = OLD."CollectionId";
        END;
        """,
        """
        CREATE TRIGGER "Containers_Count_Move" AFTER UPDATE OF "CollectionId" ON "Containers" WHEN OLD."CollectionId" <> NEW."CollectionId" BEGIN
            UPDATE "Collections" SET "ContainerCount" = "ContainerCount" - 1,
                "Bytes" = "Bytes" - COALESCE((SELECT SUM("Size") FROM "Images" WHERE "ContainerId" = NEW."Id" AND "Uploaded"), 0)
            WHERE "Id" = OLD."CollectionId";
            UPDATE "Collections" SET "ContainerCount" = "ContainerCount" + 1,
                "Bytes" = "Bytes" + COALESCE((SELECT SUM("Size") FROM "Images" WHERE "ContainerId" = NEW."Id" AND "Uploaded"), 0)
            WHERE "Id" = NEW."CollectionId";
        END;
        """,
        """
        CREATE TRIGGER "Images_Bytes_Insert" AFTER INSERT ON "Images" WHEN NEW."Uploaded" BEGIN
            UPDATE "Collections" SET "Bytes" = "Bytes" + NEW."Size" WHERE "Id" = (SELECT "CollectionId" FROM "Containers" WHERE "Id" = NEW."ContainerId");
        END;
        """,
        """
        CREATE TRIGGER "Images_Bytes_Delete" AFTER DELETE ON "Images" WHEN OLD."Uploaded" BEGIN
            UPDATE "Collections" SET "Bytes" = "Bytes" - OLD."Size" WHERE "Id" = (SELECT "CollectionId" FROM "Containers" WHERE "Id" = OLD."ContainerId");
        END;
        """,
        """
        CREATE TRIGGER "Images_Bytes_Update" AFTER UPDATE OF "Uploaded", "Size", "ContainerId" ON "Images" BEGIN
            UPDATE "Collections" SET "Bytes" = "Bytes" - (CASE WHEN OLD."Uploaded" THEN OLD."Size" ELSE 0 END)
            WHERE "Id" = (SELECT "CollectionId" FROM "Containers" WHERE "Id" = OLD."ContainerId");
            UPDATE "Collections" SET "Bytes" = "Bytes" + (CASE WHEN NEW."Uploaded" THEN NEW."Size" ELSE 0 END)
            WHERE "Id" = (SELECT "CollectionId" FROM "Containers" WHERE "Id" = NEW."ContainerId");
        END;
        """,
    ];

    public static readonly string[] SqliteTriggerNames =
        ["Stars_Count_Insert", "Stars_Count_Delete", "Stars_Count_Move", "Containers_Count_Insert", "Containers_Count_Delete",
         "Containers_Count_Move", "Images_Bytes_Insert", "Images_Bytes_Delete", "Images_Bytes_Update"];

    /// <summary>The same on PostgreSQL: one function per table; the container's delete half runs BEFORE DELETE (it returns OLD).</summary>
    public static readonly string[] PostgresTriggers =
    [
        """
        CREATE FUNCTION registry_stars_count() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN UPDATE "Collections" SET "StarCount" = "StarCount" - 1 WHERE "Id" = OLD."CollectionId"; END IF;
            IF TG_OP <> 'DELETE' THEN UPDATE "Collections" SET "StarCount" = "StarCount" + 1 WHERE "Id" = NEW."CollectionId"; END IF;
            RETURN NULL;
        END $$;
        """,
        """CREATE TRIGGER "Stars_Count" AFTER INSERT OR DELETE OR UPDATE OF "CollectionId" ON "Stars" FOR EACH ROW EXECUTE FUNCTION registry_stars_count();""",
        """
        CREATE FUNCTION registry_containers_count() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE bytes bigint;
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE "Collections" SET "ContainerCount" = "ContainerCount" + 1 WHERE "Id" = NEW."CollectionId";
                RETURN NULL;
            END IF;
            IF TG_OP = 'UPDATE' AND OLD."CollectionId" = NEW."CollectionId" THEN RETURN NULL; END IF;
            SELECT COALESCE(SUM("Size"), 0) INTO bytes FROM "Images" WHERE "ContainerId" = OLD."Id" AND "Uploaded";
            UPDATE "Collections" SET "ContainerCount" = "ContainerCount" - 1, "Bytes" = "Bytes" - bytes WHERE "Id" = OLD."CollectionId";
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            UPDATE "Collections" SET "ContainerCount" = "ContainerCount" + 1, "Bytes" = "Bytes" + bytes WHERE "Id" = NEW."CollectionId";
            RETURN NULL;
        END $$;
        """,
        """CREATE TRIGGER "Containers_Count" AFTER INSERT OR UPDATE OF "CollectionId" ON "Containers" FOR EACH ROW EXECUTE FUNCTION registry_containers_count();""",
        """CREATE TRIGGER "Containers_Count_Delete" BEFORE DELETE ON "Containers" FOR EACH ROW EXECUTE FUNCTION registry_containers_count();""",
        """
        CREATE FUNCTION registry_images_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                IF OLD."Uploaded" THEN
                    UPDATE "Collections" SET "Bytes" = "Bytes" - OLD."Size"
                    WHERE "Id" = (SELECT "CollectionId" FROM "Containers" WHERE "Id" = OLD."ContainerId");
                END IF;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                IF NEW."Uploaded" THEN
                    UPDATE "Collections" SET "Bytes" = "Bytes" + NEW."Size"
                    WHERE "Id" = (SELECT "CollectionId" FROM "Containers" WHERE "Id" = NEW."ContainerId");
                END IF;
            END IF;
            RETURN NULL;
        END $$;
        """,
        """CREATE TRIGGER "Images_Bytes" AFTER INSERT OR DELETE OR UPDATE OF "Uploaded", "Size", "ContainerId" ON "Images" FOR EACH ROW EXECUTE FUNCTION registry_images_bytes();""",
    ];

    public const string PostgresDropTriggers = """
        DROP TRIGGER "Stars_Count" ON "Stars"; DROP FUNCTION registry_stars_count();
        DROP TRIGGER "Containers_Count" ON "Containers"; DROP TRIGGER "Containers_Count_Delete" ON "Containers"; DROP FUNCTION registry_containers_count();
        DROP TRIGGER "Images_Bytes" ON "Images"; DROP FUNCTION registry_images_bytes();
        """;
}
