using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Teams;

namespace Registry.Core.Identity;

/// <summary>
/// Deleting an account, safely: refused while the user's namespace still holds collections (their images would go with
/// it, or stay without an owner) or while they are a team's only owner; the admin deletes or hands those over first.
/// Then the account goes with everything that was only theirs: tokens, sign-ins, stars, memberships, invitations and
/// unfinished uploads. Keys they uploaded stay (public keys; their uploader shows as none), the audit log keeps their name.
/// Their open pages are signed out at once (<see cref="AccountChanges"/>).
/// </summary>
public sealed class UserDeletion(IDbContextFactory<RegistryDbContext> dbFactory, AccountChanges changes)
{
    /// <summary>Why the user can't be deleted yet, or null. Shown before asking for confirmation.</summary>
    public async Task<string?> BlockerAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await BlockerAsync(db, userId, ct);
    }

    public async Task<Result<bool>> DeleteAsync(Actor actor, string userId, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return Result.Forbidden("admins only");
        if (userId == actor.UserId) return Result.Conflict("You cannot delete your own account here.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null) return Result.NotFound("This user was already deleted.");
        if (await BlockerAsync(db, userId, ct) is { } blocker) return Result.Conflict(blocker);
        // One statement, so a collection created meanwhile keeps the account (and is never deleted with it), and of two
        // simultaneous deletes one finds nothing. The database cascades the rest (entity, tokens, memberships, stars, ...).
        var deleted = await db.Users.Where(u => u.Id == userId && !db.Collections.Any(c => c.Entity!.UserId == userId)).ExecuteDeleteAsync(ct);
        if (deleted == 0)
            return await db.Users.AnyAsync(u => u.Id == userId, ct) ? Result.Conflict(await BlockerAsync(db, userId, ct) ?? "try again") : Result.NotFound("This user was already deleted.");
        AuditLog.Record(db, actor, "user.delete", user.UserName!);
        await db.SaveChangesAsync(ct);
        changes.Announce(userId);
        return true;
    }

    private static async Task<string?> BlockerAsync(RegistryDbContext db, string userId, CancellationToken ct)
    {
        var name = await AuditLog.UserNameAsync(db, userId, ct);
        var collections = await db.Collections.Where(c => c.Entity!.UserId == userId).OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(ct);
        if (collections.Count > 0)
            return $"{name} still owns {collections.Count} collection{(collections.Count == 1 ? "" : "s")} ({string.Join(", ", collections.Take(5).Select(c => $"{name}/{c}"))}{(collections.Count > 5 ? ", …" : "")}): delete them first, or disable the account instead.";
        var soleOwner = await db.Teams.Where(t => t.Members.Any(m => m.UserId == userId && m.Role == TeamRole.Owner)
                && !t.Members.Any(m => m.UserId != userId && m.Role == TeamRole.Owner))
            .Select(t => t.Name).FirstOrDefaultAsync(ct);
        return soleOwner is null ? null : $"{name} is the only owner of team {soleOwner}: make another member an owner first, or disable the account instead.";
    }
}
