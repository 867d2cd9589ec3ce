using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Teams;

namespace Registry.Core.Invitations;

/// <summary>A pending invitation as the invited user (Target: what to join) or the owner (Target: who) sees it.</summary>
public sealed record PendingInvite(string Id, string Target, string Role, string InvitedBy, DateTime CreatedAt);

/// <summary>
/// Adding someone by name to a collection or a team: an owner may name any user, and that user must accept before they
/// get any access, so nobody is made a member of something without knowing (and a name typed wrong gives nobody anything).
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

    public async Task<Result<bool>> InviteToTeamAsync(Actor actor, string teamName, string userName, TeamRole role, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var team = await db.Teams.Include(t => t.Members).FirstOrDefaultAsync(t => t.Name == teamName, ct);
        if (team is null) return Result.NotFound($"team {teamName} not found");
        if (!TeamService.IsOwner(actor, team)) return Result.Forbidden("only team owners invite members");
        var name = (userName ?? "").Trim().ToLowerInvariant();
        if (name.Length == 0) return Result.Invalid("Enter the user name of the person to invite.");
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.UserName == name, ct);
        if (user is null || user.IsDisabled) return Result.NotFound($"There is no user named {name}.");
        if (team.Members.Any(m => m.UserId == user.Id)) return Result.Conflict($"{name} is already a member of {teamName}: change the role in the list.");
        var existing = await db.MemberInvitations.FirstOrDefaultAsync(i => i.TeamId == team.Id && i.UserId == user.Id, ct);
        if (existing is null)
            db.MemberInvitations.Add(new MemberInvitation { UserId = user.Id, TeamId = team.Id, Role = (int)role, InvitedById = actor.UserId!, CreatedAt = clock.GetUtcNow().UtcDateTime });
        else existing.Role = (int)role;
        AuditLog.Record(db, actor, "team.member.invite", $"{teamName}:{name}", detail: role.ToString().ToLowerInvariant());
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
        var collections = await (from i in db.MemberInvitations.AsNoTracking()
                      where i.UserId == actor.UserId && i.CollectionId != null
                      join c in db.Collections on i.CollectionId equals c.Id
                      join inviter in db.Users on i.InvitedById equals inviter.Id into inviters
                      from inviter in inviters.DefaultIfEmpty()
                      orderby i.CreatedAt
                      select new PendingInvite(i.Id, c.Entity!.Name + "/" + c.Name, ((CollectionRole)i.Role).ToString().ToLowerInvariant(), inviter == null ? "" : inviter.UserName!, i.CreatedAt))
            .ToListAsync(ct);
        var teams = await (from i in db.MemberInvitations.AsNoTracking()
                      where i.UserId == actor.UserId && i.TeamId != null
                      join t in db.Teams on i.TeamId equals t.Id
                      join inviter in db.Users on i.InvitedById equals inviter.Id into inviters
                      from inviter in inviters.DefaultIfEmpty()
                      orderby i.CreatedAt
                      select new PendingInvite(i.Id, "team " + t.Name, ((TeamRole)i.Role).ToString().ToLowerInvariant(), inviter == null ? "" : inviter.UserName!, i.CreatedAt))
            .ToListAsync(ct);
        return [.. collections, .. teams];
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
        if (invite is null) return Result.NotFound("This invitation was withdrawn or already answered.");
        if (invite.TeamId is not null) return await AnswerTeamAsync(db, actor, invite, accept, ct);
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

    private async Task<Result<string>> AnswerTeamAsync(RegistryDbContext db, Actor actor, MemberInvitation invite, bool accept, CancellationToken ct)
    {
        var team = await db.Teams.Include(t => t.Members).FirstOrDefaultAsync(t => t.Id == invite.TeamId, ct);
        var mayWithdraw = !accept && team is not null && TeamService.IsOwner(actor, team);
        if (team is null || (invite.UserId != actor.UserId && !mayWithdraw)) return Result.NotFound("This invitation was withdrawn or already answered.");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.MemberInvitations.Where(i => i.Id == invite.Id).ExecuteDeleteAsync(ct) == 0)
            return Result.NotFound("This invitation was withdrawn or already answered.");
        var role = (TeamRole)invite.Role;
        if (accept && !team.Members.Any(m => m.UserId == actor.UserId))
            db.TeamMembers.Add(new TeamMember { TeamId = team.Id, UserId = actor.UserId!, Role = role, JoinedAt = clock.GetUtcNow().UtcDateTime });
        var action = accept ? "team.join" : invite.UserId == actor.UserId ? "team.member.decline" : "team.member.withdraw";
        AuditLog.Record(db, actor, action, accept ? team.Name : $"{team.Name}:{await AuditLog.UserNameAsync(db, invite.UserId, ct)}", detail: accept ? "invitation" : "");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return $"team {team.Name}";
    }

    /// <summary>The invitations a team's owners sent and that are still waiting.</summary>
    public async Task<List<PendingInvite>> PendingForTeamAsync(Actor actor, string teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var team = await db.Teams.AsNoTracking().Include(t => t.Members).FirstOrDefaultAsync(t => t.Id == teamId, ct);
        if (team is null || !TeamService.IsOwner(actor, team)) return [];
        return await (from i in db.MemberInvitations.AsNoTracking()
                      where i.TeamId == teamId
                      join u in db.Users on i.UserId equals u.Id
                      orderby i.CreatedAt
                      select new PendingInvite(i.Id, u.UserName!, ((TeamRole)i.Role).ToString().ToLowerInvariant(), "", i.CreatedAt))
            .ToListAsync(ct);
    }
}
