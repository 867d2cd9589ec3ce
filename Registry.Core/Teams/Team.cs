using Registry.Core.Identity;

namespace Registry.Core.Teams;

/// <summary>A member's role: owners manage the team and its collections, members also push to them, readers only pull.</summary>
public enum TeamRole { Member = 0, Owner = 1, Reader = 2 }

/// <summary>A group of users; its name is also an entity so collections can belong to it.</summary>
public class Team
{
    public string Id { get; set; } = Ids.New();
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    /// <summary>Open teams can be joined by anyone signed in; others only through invite links.</summary>
    public bool IsOpen { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public List<TeamMember> Members { get; set; } = [];
}

public class TeamMember
{
    public string TeamId { get; set; } = "";
    public Team? Team { get; set; }
    public string UserId { get; set; } = "";
    public RegistryUser? User { get; set; }
    public TeamRole Role { get; set; }
    public DateTime JoinedAt { get; set; } = DateTime.UtcNow;
}

/// <summary>A single-use, expiring invite link <c>/teams/{team}/join/{code}</c>; only the code's hash is stored.</summary>
public class TeamInvitation
{
    public string Id { get; set; } = Ids.New();
    public string TeamId { get; set; } = "";
    public Team? Team { get; set; }
    public string CodeHash { get; set; } = "";
    public TeamRole Role { get; set; }
    public string CreatedById { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime ExpiresAt { get; set; }
    public DateTime? UsedAt { get; set; }
    public string? UsedById { get; set; }
}
