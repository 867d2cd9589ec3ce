using System.ComponentModel.DataAnnotations.Schema;
using Registry.Core.Collections;
using Registry.Core.Images;
using Registry.Core.Tags;

namespace Registry.Core.Containers;

/// <summary>An image name inside a collection; holds image versions and their tags.</summary>
public class Container
{
    public string Id { get; set; } = Ids.New();
    public string CollectionId { get; set; } = "";
    public Collection? Collection { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public string FullDescription { get; set; } = "";
    public long DownloadCount { get; set; }
    public string CreatedById { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime UpdatedAt { get; set; } = DateTime.UtcNow;
    /// <summary>
    /// Created by a push (Library API, browser, sregistry) whose image is not published yet: a push refused at publish removes
    /// it again when it is still empty (<see cref="Images.RefusedPush"/>). False once an image in it is published, and for
    /// every container stored before this existed.
    /// </summary>
    public bool AwaitingFirstImage { get; set; }
    public List<Image> Images { get; set; } = [];
    /// <summary>Bytes of its uploaded images, counted as in <see cref="Entities.Entity.Size"/>; filled by the queries that show it.</summary>
    [NotMapped] public long Size { get; set; }
    public List<Tag> Tags { get; set; } = [];
}
