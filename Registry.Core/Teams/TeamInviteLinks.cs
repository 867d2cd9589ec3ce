using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Identity;

namespace Registry.Core.Teams;

/// <summary>What happened to an invite link.</summary>
public enum InviteStatus { Valid, Joined, AlreadyMember, Used, Expired, NotFound }

/// <summary>Single-use invite links into a team: owners create them, anyone signed in may use one once.</summary>
public sealed class TeamInviteLinks(IDbContextFactory<RegistryDbContext> dbFactory, IOptionsMonitor<AccountOptions> options, TimeProvider clock)
{
    /// <summary>Owners create a single-use invite; the code (shown once, part of the link) is stored hashed.</summary>
    public async Task<Result<string>> CreateAsync(Actor actor, string teamName, TeamRole role = TeamRole.Member, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var team = await db.Teams.Include(t => t.Members).FirstOrDefaultAsync(t => t.Name == teamName, ct);
        if (team is null) return Result.NotFound($"team {teamName} not found");
        if (!TeamService.IsOwner(actor, team)) return Result.Forbidden("only team owners create invite links");
        var code = Ids.NewSecret();
        var now = clock.GetUtcNow().UtcDateTime;
        db.TeamInvitations.Add(new TeamInvitation
        {
            TeamId = team.Id, CodeHash = Ids.Sha256Hex(code), Role = role, CreatedById = actor.UserId!,
            CreatedAt = now, ExpiresAt = now + options.CurrentValue.InviteLifetime,
        });
        AuditLog.Record(db, actor, "team.invite", teamName, detail: role.ToString().ToLowerInvariant());
        await db.SaveChangesAsync(ct);
        return code;
    }

    /// <summary>Whether the link can still be used (registration in invite-only mode asks this).</summary>
    public async Task<InviteStatus> CheckAsync(string teamName, string code, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hash = Ids.Sha256Hex(code);
        var invite = await db.TeamInvitations.AsNoTracking().FirstOrDefaultAsync(i => i.CodeHash == hash && i.Team!.Name == teamName, ct);
        return StatusOf(invite);
    }

    /// <summary>Uses an invite link: once, before it expires.</summary>
    public async Task<InviteStatus> AcceptAsync(Actor actor, string teamName, string code, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return InviteStatus.NotFound;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hash = Ids.Sha256Hex(code);
        var invite = await db.TeamInvitations.Include(i => i.Team).ThenInclude(t => t!.Members)
            .FirstOrDefaultAsync(i => i.CodeHash == hash && i.Team!.Name == teamName, ct);
        var status = StatusOf(invite);
        if (status != InviteStatus.Valid) return status;
        if (invite!.Team!.Members.Any(m => m.UserId == actor.UserId)) return InviteStatus.AlreadyMember;

        // Claim the invite with a conditional update, so two simultaneous uses cannot both succeed.
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var claimed = await db.TeamInvitations.Where(i => i.Id == invite.Id && i.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAt, now).SetProperty(i => i.UsedById, actor.UserId), ct);
        if (claimed == 0) return InviteStatus.Used;
        db.TeamMembers.Add(new TeamMember { TeamId = invite.TeamId, UserId = actor.UserId!, Role = invite.Role, JoinedAt = now });
        AuditLog.Record(db, actor, "team.join", teamName, detail: "invite");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return InviteStatus.Joined;
    }

    /// <summary>
    /// Takes the link for an account about to be created with it (invite-only registration, where the link is what lets
    /// one person in): one conditional update, so of two simultaneous registrations one gets it. Its id, or why not.
    /// </summary>
    public async Task<(string? Id, InviteStatus Status)> ClaimAsync(string teamName, string code, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hash = Ids.Sha256Hex(code);
        var invite = await db.TeamInvitations.AsNoTracking().FirstOrDefaultAsync(i => i.CodeHash == hash && i.Team!.Name == teamName, ct);
        if (StatusOf(invite) is var status && status != InviteStatus.Valid) return (null, status);
        var now = clock.GetUtcNow().UtcDateTime;
        var claimed = await db.TeamInvitations.Where(i => i.Id == invite!.Id && i.UsedAt == null && i.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAt, now), ct);
        return claimed == 1 ? (invite!.Id, InviteStatus.Valid) : (null, InviteStatus.Used);
    }

    /// <summary>The account could not be created (name taken, weak password): the claimed link works again.</summary>
    public async Task ReleaseAsync(string id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.TeamInvitations.Where(i => i.Id == id && i.UsedById == null).ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAt, (DateTime?)null), ct);
    }

    /// <summary>The account made with a claimed link joins the team with the link's role; returns the team's name.</summary>
    public async Task<string> CompleteAsync(string id, RegistryUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invite = await db.TeamInvitations.Include(i => i.Team).SingleAsync(i => i.Id == id, ct);
        invite.UsedById = user.Id;
        db.TeamMembers.Add(new TeamMember { TeamId = invite.TeamId, UserId = user.Id, Role = invite.Role, JoinedAt = clock.GetUtcNow().UtcDateTime });
        AuditLog.Record(db, Actor.ForUser(user.Id, user.UserName!, false), "team.join", invite.Team!.Name, detail: "invite");
        await db.SaveChangesAsync(ct);
        return invite.Team.Name;
    }

    private InviteStatus StatusOf(TeamInvitation? invite) =>
        invite is null ? InviteStatus.NotFound
        : invite.UsedAt is not null ? InviteStatus.Used
        : invite.ExpiresAt <= clock.GetUtcNow().UtcDateTime ? InviteStatus.Expired
        : InviteStatus.Valid;
}
