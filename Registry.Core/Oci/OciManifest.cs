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
