using Registry.Core.Containers;
using Registry.Core.Tags;

namespace Registry.Core.Images;

/// <summary>One SIF file: a version of a container, content-addressed by its sha256.</summary>
public class Image
{
    public string Id { get; set; } = Ids.New();
    public string ContainerId { get; set; } = "";
    public Container? Container { get; set; }
    /// <summary>64 lowercase hex digits of the whole file's sha256.</summary>
    public string Hash { get; set; } = "";
    public long Size { get; set; }
    public string? Arch { get; set; }
    public string Description { get; set; } = "";
    public bool Uploaded { get; set; }
    /// <summary>At least one signature verified against the keyserver; null: not checked yet (stored before verification existed).</summary>
    public bool? Signed { get; set; }
    /// <summary>The fingerprints of the keys whose signatures verified, space-separated (the verdicts are <see cref="Signatures.ImageSignature"/> rows).</summary>
    public string SignedBy { get; set; } = "";
    public bool? Encrypted { get; set; }
    public string CreatedById { get; set; } = "";
    public string CreatedByName { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime UpdatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? UploadedAt { get; set; }
    /// <summary>The SIF's labels are in <see cref="ImageLabel"/> rows; false for images published before labels were stored (backfilled).</summary>
    public bool LabelsRead { get; set; }
    public List<Tag> Tags { get; set; } = [];
}
