using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Identity;

namespace Registry.Web.Security;

/// <summary>Audit events for the account pages: sign-ins (password, passkey, external), failures, lockouts and sign-outs, with the caller's address.</summary>
public static class SignInAudit
{
    public static async Task RecordAsync(HttpContext context, RegistryUser? user, string action, string detail = "", string? attemptedName = null)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "";
        var actor = user is null
            ? Actor.Anonymous with { Address = address }
            : Actor.ForUser(user.Id, user.UserName ?? "", user.IsAdmin, address);
        var factory = context.RequestServices.GetRequiredService<IDbContextFactory<RegistryDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        // The attempted name is whatever was typed: kept short so the log cannot be flooded through it.
        var target = user?.UserName ?? attemptedName ?? "";
        AuditLog.Record(db, actor, action, target.Length > 64 ? target[..64] : target, detail: detail);
        await db.SaveChangesAsync();
    }
}
