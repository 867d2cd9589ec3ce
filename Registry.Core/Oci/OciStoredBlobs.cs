using Registry.Core.Data;

namespace Registry.Core.Oci;

/// <summary>
/// What <c>/v2/</c> stores, as rows for the storage pages (treemap, home counts): each blob a stored manifest names,
/// with the manifest's container, for every manifest that is not a SIF image's (those count as the image). The same
/// figures <see cref="Collections.OciCollectionBytes"/> adds to a collection's bytes.
/// </summary>
public static class OciStoredBlobs
{
    public static IQueryable<StoredBlobRow> Of(RegistryDbContext db) =>
        from r in db.OciManifestRefs
        join m in db.OciManifests on r.ManifestId equals m.Id
        where m.ImageId == null
        join x in db.Containers on m.ContainerId equals x.Id
        select new StoredBlobRow { CollectionId = x.CollectionId, Container = x.Name, Hash = r.Hash, Size = r.Size };

    /// <summary>Uploaded images as the same rows, to be counted together with <see cref="Of"/>.</summary>
    public static IQueryable<StoredBlobRow> Images(RegistryDbContext db) =>
        db.Images.Where(i => i.Uploaded)
            .Select(i => new StoredBlobRow { CollectionId = i.Container!.CollectionId, Container = i.Container.Name, Hash = i.Hash, Size = i.Size });
}

/// <summary>A stored blob (an image's SIF, or a config or layer of a <c>/v2/</c> manifest) and where it is used.</summary>
// Member-initialised (not a positional record), so EF can translate filters and set operations on the fields.
public sealed class StoredBlobRow
{
    public string CollectionId { get; init; } = "";
    public string Container { get; init; } = "";
    public string Hash { get; init; } = "";
    public long Size { get; init; }
}
