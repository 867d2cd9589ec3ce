namespace Registry.Core.Oci;

/// <summary>
/// A tag on a manifest that is not a SIF image (a container image, an index, another artifact): Library tags name
/// images, so these live here. A tag name is one thing at a time: setting it on one face removes it on the other, and
/// where both exist (a Library tag set later) the most recently set one answers.
/// </summary>
public class OciTag
{
    public string Id { get; set; } = Ids.New();
    public string ContainerId { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>Hex digest of the tagged manifest (an <see cref="OciManifest"/> of the same container).</summary>
    public string Hash { get; set; } = "";
    public DateTime UpdatedAt { get; set; } = DateTime.UtcNow;
}
