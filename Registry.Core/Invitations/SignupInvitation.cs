namespace Registry.Core.Invitations;

/// <summary>
/// An admin's single-use, expiring sign-up link <c>/Account/Register?Invite={code}</c>: it lets one person create an
/// account whatever the registration mode. Only the code's hash is stored.
/// </summary>
public class SignupInvitation
{
    public string Id { get; set; } = Ids.New();
    public string CodeHash { get; set; } = "";
    /// <summary>Who the admin meant it for (free text, shown to admins only).</summary>
    public string Note { get; set; } = "";
    public string CreatedById { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime ExpiresAt { get; set; }
    public DateTime? UsedAt { get; set; }
    /// <summary>The account made with it; null while unused (and while an account is being created with it).</summary>
    public string? UsedById { get; set; }
}
