using System.ComponentModel.DataAnnotations.Schema;
using Registry.Core.Containers;
using Registry.Core.Entities;
using Registry.Core.Identity;

namespace Registry.Core.Collections;

public enum CollectionRole { Contributor = 0, Owner = 1 }

/// <summary>A collection of containers inside an entity. Private collections are invisible to non-members.</summary>
public class Collection
{
    public string Id { get; set; } = Ids.New();
    public string EntityId { get; set; } = "";
    public Entity? Entity { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public bool IsPrivate { get; set; }
    /// <summary>Pushes without a signature verified against the keyserver are refused.</summary>
    public bool OnlySigned { get; set; }
    public string CreatedById { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime UpdatedAt { get; set; } = DateTime.UtcNow;
    public List<CollectionMember> Members { get; set; } = [];
    public List<Container> Containers { get; set; } = [];
    public List<Star> Stars { get; set; } = [];
    /// <summary>Bytes of the uploaded images of its containers, counted as in <see cref="Entities.Entity.Size"/>; filled by the queries that show it.</summary>
    [NotMapped] public long Size { get; set; }
    /// <summary>How many users starred it. Kept by the database (triggers on Stars, see <see cref="CollectionCounters"/>), never written by the app.</summary>
    public int StarCount { get; set; }
    /// <summary>How many containers it holds. Kept by the database (triggers on Containers).</summary>
    public int ContainerCount { get; set; }
    /// <summary>
    /// Bytes of the uploaded images of its containers (as <see cref="Size"/>) and of the blobs its <c>/v2/</c> manifests name
    /// (<see cref="OciCollectionBytes"/>). Kept by the database (triggers on Images, Containers and the OCI manifest tables).
    /// </summary>
    public long Bytes { get; set; }
}

public class CollectionMember
{
    public string CollectionId { get; set; } = "";
    public Collection? Collection { get; set; }
    public string UserId { get; set; } = "";
    public RegistryUser? User { get; set; }
    public CollectionRole Role { get; set; }
}

public class Star
{
    public string CollectionId { get; set; } = "";
    public string UserId { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}
