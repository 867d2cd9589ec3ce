using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Entities;

namespace Registry.Core.Identity;

/// <summary>One page of the admin's user table and how many users match in all.</summary>
public sealed record UserPage(List<RegistryUser> Users, int Total);

/// <summary>One row of the admin's storage table.</summary>
public sealed record EntityUsage(string Name, EntityKind Kind, int Collections, long Bytes, long? QuotaBytes);

/// <summary>Profiles and the admin's user management: promote, disable, storage per entity.</summary>
public sealed class UserAdminService(IDbContextFactory<RegistryDbContext> dbFactory, AccountChanges changes, Collections.ViewerCache cache,
    Nodes.ClusterLock locks)
{
    public async Task<RegistryUser?> FindAsync(string userName, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.UserName == userName, ct);
    }

    /// <summary>Collections in the user's entity the actor may see, and the collections the user starred that the actor may see.</summary>
    public async Task<(List<Collection> Own, List<Collection> Starred)> ProfileCollectionsAsync(Actor actor, RegistryUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var own = await db.Collections.AsNoTracking().WithAccessGraph().Include(c => c.Stars)
            .Where(c => c.Entity!.UserId == user.Id || c.Members.Any(m => m.UserId == user.Id)).ToListAsync(ct);
        var starred = await db.Collections.AsNoTracking().WithAccessGraph().Include(c => c.Stars)
            .Where(c => c.Stars.Any(s => s.UserId == user.Id)).ToListAsync(ct);
        List<Collection> Visible(List<Collection> list) =>
            list.Where(c => AccessRules.For(actor, c).CanView).OrderByDescending(c => c.Stars.Count).ThenBy(c => c.Name).ToList();
        return (Visible(own), Visible(starred));
    }

    public const int MaxPageSize = 100;

    /// <summary>
    /// Page <paramref name="page"/> (from 0) of the users whose name or e-mail contains <paramref name="filter"/>, in name
    /// order: an institute has thousands, and a table of all of them took seconds of server time to render.
    /// </summary>
    public async Task<UserPage> PageAsync(string? filter, int page, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter))
        {
            var upper = filter.Trim().ToUpperInvariant(); // the normalized columns hold upper case
            users = users.Where(u => u.NormalizedUserName!.Contains(upper) || u.NormalizedEmail!.Contains(upper));
        }
        var total = await users.CountAsync(ct);
        var items = await users.OrderBy(u => u.NormalizedUserName).Skip(Math.Max(page, 0) * pageSize).Take(pageSize).ToListAsync(ct);
        return new UserPage(items, total);
    }

    /// <summary>Demoting changes the security stamp: the sign-in that carried the admin role ends at once (see <see cref="AccountChanges"/>).</summary>
    public Task<Result<bool>> SetAdminAsync(Actor actor, string userId, bool isAdmin, CancellationToken ct = default) =>
        UpdateAsync(actor, userId, isAdmin ? "user.promote" : "user.demote", u =>
        {
            u.IsAdmin = isAdmin;
            if (!isAdmin) u.SecurityStamp = Guid.NewGuid().ToString("N");
        }, ct);

    /// <summary>
    /// Disabling changes the security stamp, so every sign-in of the user ends at once, open pages included, and revokes
    /// their CLI secret: enabled again, they get a new one, never the one that was out while they were locked out.
    /// </summary>
    public Task<Result<bool>> SetDisabledAsync(Actor actor, string userId, bool disabled, CancellationToken ct = default) =>
        UpdateAsync(actor, userId, disabled ? "user.disable" : "user.enable", u =>
        {
            u.IsDisabled = disabled;
            u.SecurityStamp = Guid.NewGuid().ToString("N");
        }, ct, revokeCliSecret: disabled);

    private async Task<Result<bool>> UpdateAsync(Actor actor, string userId, string action, Action<RegistryUser> change, CancellationToken ct,
        bool revokeCliSecret = false)
    {
        if (!actor.IsAdmin) return Result.Forbidden("admins only");
        if (userId == actor.UserId) return Result.Conflict("you cannot demote or disable yourself");
        // One change at a time, the acting admin checked again inside: two admins demoting or disabling each other at
        // once both passed the check their sign-ins carried, and left the registry without an admin.
        await using var held = await locks.TakeAsync("users.admin", ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Users.AnyAsync(u => u.Id == actor.UserId && u.IsAdmin && !u.IsDisabled, ct))
            return Result.Forbidden("you are no longer an admin (another admin changed that just now)");
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null) return Result.NotFound("user not found");
        change(user);
        if (revokeCliSecret) await Identity.AccessTokens.CliSecrets.RevokeAllAsync(db, user.Id, DateTime.UtcNow, ct);
        AuditLog.Record(db, actor, action, user.UserName!);
        await db.SaveChangesAsync(ct);
        changes.Announce(user.Id);
        return true;
    }

    /// <summary>
    /// Stored bytes per entity (its collections' <see cref="Collections.Collection.Bytes"/>: uploaded images and what
    /// <c>/v2/</c> stores), largest first, kept until the next write
    /// (<see cref="Collections.ViewerCache"/>); callers get their own list.
    /// </summary>
    public async Task<List<EntityUsage>> StorageAsync(CancellationToken ct = default) =>
        (await cache.GetAsync("EntityUsage", StorageViewer, async () =>
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            // The collections' maintained bytes (uploaded images and /v2/ manifests' blobs, each in full): no image row read.
            var rows = await db.Entities.AsNoTracking().Select(e => new EntityUsage(e.Name, e.Kind, e.Collections.Count,
                e.Collections.Sum(c => (long?)c.Bytes) ?? 0, e.QuotaBytes)).ToListAsync();
            return rows.OrderByDescending(r => r.Bytes).ThenBy(r => r.Name).ToList();
        })).ToList();

    private static readonly Actor StorageViewer = new("admin-storage", "admin-storage", true, Identity.AccessTokens.TokenScope.Admin);
}
