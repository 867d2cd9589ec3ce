using System.ComponentModel.DataAnnotations.Schema;
using Registry.Core.Collections;
using Registry.Core.Identity;
using Registry.Core.Teams;

namespace Registry.Core.Entities;

public enum EntityKind { User = 0, Team = 1 }

/// <summary>A namespace: the first component of <c>library://entity/collection/container</c>. Belongs to a user or a team.</summary>
public class Entity
{
    public string Id { get; set; } = Ids.New();
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public EntityKind Kind { get; set; }
    public string? UserId { get; set; }
    public RegistryUser? User { get; set; }
    public string? TeamId { get; set; }
    public Team? Team { get; set; }
    /// <summary>Per-entity quota override in bytes; null = the registry default, 0 = unlimited.</summary>
    public long? QuotaBytes { get; set; }
    public bool DefaultPrivate { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime UpdatedAt { get; set; } = DateTime.UtcNow;
    public List<Collection> Collections { get; set; } = [];
    /// <summary>
    /// Bytes of the uploaded images in <see cref="Collections"/> (the collections the asker may see, so a private one's
    /// size doesn't leak); filled by the queries that show it (SQL SUM), not stored. Every uploaded image counts in full,
    /// also when its blob is shared with another image: the images' part of quota usage (<see cref="EntityService.UsageAsync"/>,
    /// which also counts the blobs of container images pushed through <c>/v2/</c>).
    /// </summary>
    [NotMapped] public long Size { get; set; }
}
