using Registry.Core.Images;

namespace Registry.Core.Tags;

/// <summary>A tag name pointing to an image, unique per (container, arch). A frozen tag never moves.</summary>
public class Tag
{
    public long Id { get; set; }
    public string ContainerId { get; set; } = "";
    public string ImageId { get; set; } = "";
    public Image? Image { get; set; }
    public string Arch { get; set; } = "";
    public string Name { get; set; } = "";
    public bool Frozen { get; set; }
    public string UpdatedByName { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime UpdatedAt { get; set; } = DateTime.UtcNow;
}
