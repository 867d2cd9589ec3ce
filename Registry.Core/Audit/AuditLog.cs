using Registry.Core.Access;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;

namespace Registry.Core.Audit;

/// <summary>Adds audit events to the caller's unit of work, so they commit with the change they describe.</summary>
public static class AuditLog
{
    /// <summary>A user's name for an event's target (events name people, not ids).</summary>
    public static async Task<string> UserNameAsync(RegistryDbContext db, string userId, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == userId).Select(u => u.UserName).FirstOrDefaultAsync(ct) ?? userId;

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
