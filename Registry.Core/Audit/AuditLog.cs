using Registry.Core.Access;
using Registry.Core.Data;

namespace Registry.Core.Audit;

/// <summary>Adds audit events to the caller's unit of work, so they commit with the change they describe.</summary>
public static class AuditLog
{
    public static void Record(RegistryDbContext db, Actor actor, string action, string target, string? collectionId = null, string detail = "") =>
        db.AuditEvents.Add(new AuditEvent
        {
            UserId = actor.UserId,
            UserName = actor.IsAuthenticated ? actor.UserName : "anonymous",
            Action = action,
            Target = target,
            CollectionId = collectionId,
            Detail = detail,
            Address = actor.Address,
        });
}
