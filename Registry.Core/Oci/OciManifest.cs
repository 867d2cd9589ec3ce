using Registry.Core.Images;

namespace Registry.Core.Oci;

/// <summary>
/// A manifest pushed through <c>/v2/</c>, kept byte for byte (its digest is what the client computed). A SIF manifest
/// sits beside the image it made; images that arrived another way have none: their manifest is built on demand
/// (<see cref="SifManifest.Build"/>). Any other manifest or index (container images, other artifacts) has no image:
/// it is served as stored, tagged through <see cref="OciTag"/>.
/// </summary>
public class OciManifest
{
    public string Id { get; set; } = Ids.New();
    public string ContainerId { get; set; } = "";
    /// <summary>The image a SIF manifest made; null for every other manifest.</summary>
    public string? ImageId { get; set; }
    public Image? Image { get; set; }
    /// <summary>64 lowercase hex digits of the manifest bytes' sha256.</summary>
    public string Hash { get; set; } = "";
    public string MediaType { get; set; } = "";
    /// <summary>The manifest as pushed (bounded by <see cref="OciLimits.MaxManifestBytes"/>).</summary>
    public byte[] Content { get; set; } = [];
    /// <summary>Hex digest of the manifest this one's <c>subject</c> names (OCI 1.1), for the referrers API.</summary>
    public string? SubjectHash { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    /// <summary>
    /// Whether <see cref="OciManifestRef"/> rows list its blobs: true from the PUT on; false for a manifest stored before
    /// they were kept, until <see cref="OciRefBackfill"/> parses it once.
    /// </summary>
    public bool RefsStored { get; set; } = true;
}

/// <summary>
/// A blob (config or layer) a stored manifest names, written with the manifest: what gc keeps and quota counts, joined
/// instead of parsing every manifest. Child manifests of an index are manifests, not blobs, and have no row.
/// </summary>
public class OciManifestRef
{
    public string ManifestId { get; set; } = "";
    public string Hash { get; set; } = "";
    /// <summary>The size the manifest declares (checked against the blob when the manifest was stored).</summary>
    public long Size { get; set; }

    /// <summary>The rows of a manifest's blobs, each digest once.</summary>
    public static IEnumerable<OciManifestRef> Of(OciManifest manifest, OciDocument doc) =>
        doc.Blobs.DistinctBy(b => b.Digest).Select(b => new OciManifestRef { ManifestId = manifest.Id, Hash = b.Digest.Hex, Size = b.Size });
}

/// <summary>
/// A blob uploaded through <c>/v2/</c> into a repository, before (or without) a manifest naming it: what lets that
/// repository answer <c>HEAD</c> for it. A digest is no secret, so a blob is never visible in a repository it was not
/// pushed to or published in. gc removes the bytes of blobs no image uses, as for every upload.
/// </summary>
public class OciBlobLink
{
    /// <summary><c>entity/collection/container</c>.</summary>
    public string Repository { get; set; } = "";
    public string Hash { get; set; } = "";
    /// <summary>The blob's length (what quota counts); null for a link made before lengths were kept, until backfilled.</summary>
    public long? Size { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

/// <summary>Bounds of what <c>/v2/</c> accepts.</summary>
public static class OciLimits
{
    /// <summary>A SIF manifest is under 1 KiB; 1 MiB leaves room for annotations without letting a body fill the database.</summary>
    public const int MaxManifestBytes = 1 << 20;

    /// <summary>Kept free on the volume by an upload (as the other upload paths do).</summary>
    public const long DiskReserve = 64L << 20;

    /// <summary>The most tags one <c>tags/list</c> page holds.</summary>
    public const int MaxPage = 1000;
}
