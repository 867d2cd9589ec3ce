namespace Registry.Core.Collections;

/// <summary>
/// <see cref="Collection.Bytes"/> counts what <c>/v2/</c> stores as well as uploaded images: for each stored manifest that
/// is not a SIF image's (those count as the image), the config and layers it names (<c>OciManifestRefs</c>), each
/// manifest in full as each image is (the logical size: two tags of one container image that share a base layer count it
/// twice, as two images of one SIF would). Kept by triggers beside <see cref="CollectionCounters"/>'s, on the refs (a
/// manifest's blobs arrive with it, or later from <c>OciRefBackfill</c>), on a manifest's delete (its refs then go by the
/// FK cascade and find no manifest), and on a container's delete or move (its manifests' cascades find no container).
/// The migration OciCollectionBytes creates them; a later SQLite migration that rebuilds OciManifests, OciManifestRefs or
/// Containers must run them again.
/// </summary>
public static class OciCollectionBytes
{
    private const string ContainerBytes = """
        (SELECT COALESCE(SUM(r."Size"), 0) FROM "OciManifestRefs" r JOIN "OciManifests" m ON m."Id" = r."ManifestId"
         WHERE m."ContainerId" = OLD."Id" AND m."ImageId" IS NULL)
        """;

    private static string CollectionOfRef(string row) => $"""
        (SELECT x."CollectionId" FROM "OciManifests" m JOIN "Containers" x ON x."Id" = m."ContainerId"
         WHERE m."Id" = {row}."ManifestId" AND m."ImageId" IS NULL)
        """;

    /// <summary>Sets every collection's bytes from its rows: uploaded images and <c>/v2/</c> manifests' blobs.</summary>
    public const string RecountSql = """
        UPDATE "Collections" SET "Bytes" =
            COALESCE((SELECT SUM(i."Size") FROM "Images" i JOIN "Containers" x ON x."Id" = i."ContainerId"
                      WHERE x."CollectionId" = "Collections"."Id" AND i."Uploaded"), 0)
            + COALESCE((SELECT SUM(r."Size") FROM "OciManifestRefs" r JOIN "OciManifests" m ON m."Id" = r."ManifestId"
                        JOIN "Containers" x ON x."Id" = m."ContainerId" WHERE x."CollectionId" = "Collections"."Id" AND m."ImageId" IS NULL), 0);
        """;

    public static readonly string[] SqliteTriggers =
    [
        $"""CREATE TRIGGER "OciManifestRefs_Bytes_Insert" AFTER INSERT ON "OciManifestRefs" BEGIN UPDATE "Collections" SET "Bytes" = "Bytes" + NEW."Size" WHERE "Id" = {CollectionOfRef("NEW")}; END;""",
        $"""CREATE TRIGGER "OciManifestRefs_Bytes_Delete" AFTER DELETE ON "OciManifestRefs" BEGIN UPDATE "Collections" SET "Bytes" = "Bytes" - OLD."Size" WHERE "Id" = {CollectionOfRef("OLD")}; END;""",
        """
        CREATE TRIGGER "OciManifests_Bytes_Delete" BEFORE DELETE ON "OciManifests" WHEN OLD."ImageId" IS NULL BEGIN
            UPDATE "Collections" SET "Bytes" = "Bytes" - COALESCE((SELECT SUM("Size") FROM "OciManifestRefs" WHERE "ManifestId" = OLD."Id"), 0)
            WHERE "Id" = (SELECT "CollectionId" FROM "Containers" WHERE "Id" = OLD."ContainerId");
        END;
        """,
        $"""
        CREATE TRIGGER "Containers_OciBytes_Delete" BEFORE DELETE ON "Containers" BEGIN
            UPDATE "Collections" SET "Bytes" = "Bytes" - {ContainerBytes} WHERE "Id" = OLD."CollectionId";
        END;
        """,
        $"""
        CREATE TRIGGER "Containers_OciBytes_Move" AFTER UPDATE OF "CollectionId" ON "Containers" WHEN OLD."CollectionId" <> NEW."CollectionId" BEGIN
            UPDATE "Collections" SET "Bytes" = "Bytes" - {ContainerBytes} WHERE "Id" = OLD."CollectionId";
            UPDATE "Collections" SET "Bytes" = "Bytes" + {ContainerBytes} WHERE "Id" = NEW."CollectionId";
        END;
        """,
    ];

    public static readonly string[] SqliteTriggerNames =
        ["OciManifestRefs_Bytes_Insert", "OciManifestRefs_Bytes_Delete", "OciManifests_Bytes_Delete", "Containers_OciBytes_Delete", "Containers_OciBytes_Move"];

    public static readonly string[] PostgresTriggers =
    [
        $"""
        CREATE FUNCTION registry_oci_refs_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE "Collections" SET "Bytes" = "Bytes" + NEW."Size" WHERE "Id" = {CollectionOfRef("NEW")};
            ELSE
                UPDATE "Collections" SET "Bytes" = "Bytes" - OLD."Size" WHERE "Id" = {CollectionOfRef("OLD")};
            END IF;
            RETURN NULL;
        END $$;
        """,
        """CREATE TRIGGER "OciManifestRefs_Bytes" AFTER INSERT OR DELETE ON "OciManifestRefs" FOR EACH ROW EXECUTE FUNCTION registry_oci_refs_bytes();""",
        """
        CREATE FUNCTION registry_oci_manifests_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD."ImageId" IS NULL THEN
                UPDATE "Collections" SET "Bytes" = "Bytes" - COALESCE((SELECT SUM("Size") FROM "OciManifestRefs" WHERE "ManifestId" = OLD."Id"), 0)
                WHERE "Id" = (SELECT "CollectionId" FROM "Containers" WHERE "Id" = OLD."ContainerId");
            END IF;
            RETURN OLD;
        END $$;
        """,
        """CREATE TRIGGER "OciManifests_Bytes_Delete" BEFORE DELETE ON "OciManifests" FOR EACH ROW EXECUTE FUNCTION registry_oci_manifests_bytes();""",
        $"""
        CREATE FUNCTION registry_containers_oci_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE bytes bigint;
        BEGIN
            IF TG_OP = 'UPDATE' AND OLD."CollectionId" = NEW."CollectionId" THEN RETURN NULL; END IF;
            bytes := {ContainerBytes};
            UPDATE "Collections" SET "Bytes" = "Bytes" - bytes WHERE "Id" = OLD."CollectionId";
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            UPDATE "Collections" SET "Bytes" = "Bytes" + bytes WHERE "Id" = NEW."CollectionId";
            RETURN NULL;
        END $$;
        """,
        """CREATE TRIGGER "Containers_OciBytes_Move" AFTER UPDATE OF "CollectionId" ON "Containers" FOR EACH ROW EXECUTE FUNCTION registry_containers_oci_bytes();""",
        """CREATE TRIGGER "Containers_OciBytes_Delete" BEFORE DELETE ON "Containers" FOR EACH ROW EXECUTE FUNCTION registry_containers_oci_bytes();""",
    ];

    public const string PostgresDropTriggers = """
        DROP TRIGGER "OciManifestRefs_Bytes" ON "OciManifestRefs"; DROP FUNCTION registry_oci_refs_bytes();
        DROP TRIGGER "OciManifests_Bytes_Delete" ON "OciManifests"; DROP FUNCTION registry_oci_manifests_bytes();
        DROP TRIGGER "Containers_OciBytes_Move" ON "Containers"; DROP TRIGGER "Containers_OciBytes_Delete" ON "Containers";
        DROP FUNCTION registry_containers_oci_bytes();
        """;
}
