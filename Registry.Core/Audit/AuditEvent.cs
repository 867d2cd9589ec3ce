namespace Registry.Core.Audit;

/// <summary>Who did what to which thing, when and from where.</summary>
public class AuditEvent
{
    public long Id { get; set; }
    public DateTime At { get; set; } = DateTime.UtcNow;
    public string? UserId { get; set; }
    public string UserName { get; set; } = "";
    public string Action { get; set; } = "";
    public string Target { get; set; } = "";
    public string? CollectionId { get; set; }
    public string Detail { get; set; } = "";
    public string Address { get; set; } = "";
}
