namespace Registry.Core.Invitations;

/// <summary>
/// An owner asked a user, by name, to join a collection (as a <see cref="Collections.CollectionRole"/>) or a team (as a
/// <see cref="Teams.TeamRole"/>). Nothing changes until the user accepts it on their home page; they may decline.
/// Exactly one of <see cref="CollectionId"/> and <see cref="TeamId"/> is set.
/// </summary>
public class MemberInvitation
{
    public string Id { get; set; } = Ids.New();
    public string UserId { get; set; } = "";
    public string? CollectionId { get; set; }
    public string? TeamId { get; set; }
    /// <summary>The role offered: a CollectionRole or a TeamRole value, by which of the two ids is set.</summary>
    public int Role { get; set; }
    public string InvitedById { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}
