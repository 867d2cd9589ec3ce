using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Collections;
using Registry.Core.Data;

namespace Registry.Core.Invitations;

/// <summary>A pending invitation as the invited user (Target: what to join) or the owner (Target: who) sees it.</summary>
public sealed record PendingInvite(string Id, string Target, string Role, string InvitedBy, DateTime CreatedAt);

/// <summary>
/// Adding someone by name to a collection: an owner may name any user, and that user must accept before they get any
/// access, so nobody is made a contributor of something without knowing (and a name typed wrong gives nobody anything).
/// </summary>
public sealed class MemberInviteService(IDbContextFactory<RegistryDbContext> dbFactory, TimeProvider clock)
{
    public async Task<Result<bool>> InviteToCollectionAsync(Actor actor, string collectionId, string userName, CollectionRole role, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.WithAccessGraph().FirstOrDefaultAsync(c => c.Id == collectionId, ct);
        if (collection is null || !AccessRules.For(actor, collection).CanManage) return Result.Forbidden("only owners manage members");
        var name = (userName ?? "").Trim().ToLowerInvariant();
        if (name.Length == 0) return Result.Invalid("Enter the user name of the person to add.");
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.UserName == name, ct);
        if (user is null || user.IsDisabled) return Result.NotFound($"There is no user named {name}.");
        var path = $"{collection.Entity!.Name}/{collection.Name}";
        if (collection.Entity.UserId == user.Id) return Result.Conflict($"{name} owns {path} already.");
        if (collection.Members.Any(m => m.UserId == user.Id)) return Result.Conflict($"{name} is already a member of {path}: change the role in the list.");
        var existing = await db.MemberInvitations.FirstOrDefaultAsync(i => i.CollectionId == collectionId && i.UserId == user.Id, ct);
        if (existing is null)
            db.MemberInvitations.Add(new MemberInvitation
            {
                UserId = user.Id, CollectionId = collectionId, Role = (int)role, InvitedById = actor.UserId!, CreatedAt = clock.GetUtcNow().UtcDateTime,
            });
        else existing.Role = (int)role;
        AuditLog.Record(db, actor, "collection.member.invite", $"{path}:{name}", collectionId, role.ToString().ToLowerInvariant());
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>The invitations an owner sent for a collection and that are still waiting.</summary>
    public async Task<List<PendingInvite>> PendingForCollectionAsync(Actor actor, string collectionId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.AsNoTracking().WithAccessGraph().FirstOrDefaultAsync(c => c.Id == collectionId, ct);
        if (collection is null || !AccessRules.For(actor, collection).CanManage) return [];
        return await (from i in db.MemberInvitations.AsNoTracking()
                      where i.CollectionId == collectionId
                      join u in db.Users on i.UserId equals u.Id
                      join inviter in db.Users on i.InvitedById equals inviter.Id into inviters
                      from inviter in inviters.DefaultIfEmpty()
                      orderby i.CreatedAt
                      select new PendingInvite(i.Id, u.UserName!, ((CollectionRole)i.Role).ToString().ToLowerInvariant(), inviter == null ? "" : inviter.UserName!, i.CreatedAt))
            .ToListAsync(ct);
    }

    /// <summary>What the signed-in user was invited to and has not answered.</summary>
    public async Task<List<PendingInvite>> MineAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await (from i in db.MemberInvitations.AsNoTracking()
                      where i.UserId == actor.UserId && i.CollectionId != null
                      join c in db.Collections on i.CollectionId equals c.Id
                      join inviter in db.Users on i.InvitedById equals inviter.Id into inviters
                      from inviter in inviters.DefaultIfEmpty()
                      orderby i.CreatedAt
                      select new PendingInvite(i.Id, c.Entity!.Name + "/" + c.Name, ((CollectionRole)i.Role).ToString().ToLowerInvariant(), inviter == null ? "" : inviter.UserName!, i.CreatedAt))
            .ToListAsync(ct);
    }

    /// <summary>
    /// The invited user accepts (membership with the role offered) or declines; an owner may withdraw it. Accepting twice,
    /// or at once from two pages, makes one membership.
    /// </summary>
    public async Task<Result<string>> AnswerAsync(Actor actor, string invitationId, bool accept, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("sign in first");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invite = await db.MemberInvitations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == invitationId, ct);
        if (invite?.CollectionId is null) return Result.NotFound("This invitation was withdrawn or already answered.");
        var collection = await db.Collections.WithAccessGraph().FirstOrDefaultAsync(c => c.Id == invite.CollectionId, ct);
        var path = collection is null ? "" : $"{collection.Entity!.Name}/{collection.Name}";
        var mayWithdraw = !accept && collection is not null && AccessRules.For(actor, collection).CanManage;
        if (collection is null || (invite.UserId != actor.UserId && !mayWithdraw)) return Result.NotFound("This invitation was withdrawn or already answered.");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Whoever deletes the row answers it: a second, simultaneous answer finds nothing left.
        if (await db.MemberInvitations.Where(i => i.Id == invitationId).ExecuteDeleteAsync(ct) == 0)
            return Result.NotFound("This invitation was withdrawn or already answered.");
        var role = (CollectionRole)invite.Role;
        if (accept && !collection.Members.Any(m => m.UserId == actor.UserId) && collection.Entity!.UserId != actor.UserId)
            db.CollectionMembers.Add(new CollectionMember { CollectionId = collection.Id, UserId = actor.UserId!, Role = role });
        var action = accept ? "collection.member.accept" : invite.UserId == actor.UserId ? "collection.member.decline" : "collection.member.withdraw";
        AuditLog.Record(db, actor, action, $"{path}:{await AuditLog.UserNameAsync(db, invite.UserId, ct)}", collection.Id, role.ToString().ToLowerInvariant());
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return path;
    }
}
