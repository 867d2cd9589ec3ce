using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Identity;

namespace Registry.Core.Teams;

/// <summary>
/// Teams, their members and owners. A team's name is also an entity, so <c>library://team/…</c> works. Nobody is put in a
/// team without asking: people join an open team themselves, use an invite link, or accept an owner's invitation by name
/// (<see cref="Invitations.MemberInviteService"/>); owners then change roles or remove members here.
/// </summary>
public sealed class TeamService(IDbContextFactory<RegistryDbContext> dbFactory, IOptionsMonitor<AccountOptions> options)
{
    public bool MayCreate(Actor actor) => actor.IsAuthenticated && (actor.IsAdmin || options.CurrentValue.UsersCanCreateTeams);

    public async Task<List<Team>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Teams.AsNoTracking().Include(t => t.Members).OrderBy(t => t.Name).ToListAsync(ct);
    }

    /// <summary>The team with its members and their users.</summary>
    public async Task<Team?> FindAsync(string name, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Teams.AsNoTracking().Include(t => t.Members).ThenInclude(m => m.User)
            .FirstOrDefaultAsync(t => t.Name == name, ct);
    }

    public async Task<Result<Team>> CreateAsync(Actor actor, string name, string description, bool isOpen, CancellationToken ct = default)
    {
        if (!MayCreate(actor)) return Result.Forbidden("you may not create teams");
        name = name.Trim();
        if (!Names.IsValid(name) || name.Length > 64) return Result.Invalid($"a team name must be {Names.AccountRule}");
        if (Names.IsReserved(name)) return Result.Invalid(Names.ProblemWith(name, "team")!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Entities.AnyAsync(e => e.Name == name, ct) || await db.Teams.AnyAsync(t => t.Name == name, ct))
            return Result.Conflict($"the name '{name}' is already taken by a user or team");
        var team = new Team { Name = name, Description = description.Trim(), IsOpen = isOpen };
        team.Members.Add(new TeamMember { UserId = actor.UserId!, Role = TeamRole.Owner });
        db.Teams.Add(team);
        db.Entities.Add(new Entity { Name = name, Kind = EntityKind.Team, TeamId = team.Id });
        AuditLog.Record(db, actor, "team.create", name, detail: isOpen ? "open" : "invite-only");
        await db.SaveChangesAsync(ct);
        return Result.Created(team);
    }

    /// <summary>Joins an open team directly; invite-only teams need an invite link.</summary>
    public async Task<Result<TeamMember>> JoinAsync(Actor actor, string teamName, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("sign in to join a team");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var team = await db.Teams.Include(t => t.Members).FirstOrDefaultAsync(t => t.Name == teamName, ct);
        if (team is null) return Result.NotFound($"team {teamName} not found");
        if (!team.IsOpen) return Result.Forbidden($"team {teamName} is invite-only: ask an owner for an invite link");
        if (team.Members.FirstOrDefault(m => m.UserId == actor.UserId) is { } existing) return existing;
        var member = new TeamMember { TeamId = team.Id, UserId = actor.UserId!, Role = TeamRole.Member };
        db.TeamMembers.Add(member);
        AuditLog.Record(db, actor, "team.join", teamName);
        await db.SaveChangesAsync(ct);
        return Result.Created(member);
    }

    /// <summary>Owners promote members and demote owners; the last owner always stays.</summary>
    public async Task<Result<TeamMember>> SetRoleAsync(Actor actor, string teamName, string userId, TeamRole role, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var team = await db.Teams.Include(t => t.Members).FirstOrDefaultAsync(t => t.Name == teamName, ct);
        if (team is null) return Result.NotFound($"team {teamName} not found");
        if (!IsOwner(actor, team)) return Result.Forbidden("only team owners change roles");
        var member = team.Members.FirstOrDefault(m => m.UserId == userId);
        if (member is null) return Result.NotFound("not a member of this team");
        if (role != TeamRole.Owner && IsLastOwner(team, member)) return Result.Conflict("a team needs at least one owner");
        member.Role = role;
        AuditLog.Record(db, actor, "team.member.role", $"{teamName}:{await AuditLog.UserNameAsync(db, userId, ct)}", detail: role.ToString().ToLowerInvariant());
        await db.SaveChangesAsync(ct);
        return member;
    }

    /// <summary>Owners remove anyone; members remove themselves (leave). The last owner cannot go.</summary>
    public async Task<Result<bool>> RemoveMemberAsync(Actor actor, string teamName, string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var team = await db.Teams.Include(t => t.Members).FirstOrDefaultAsync(t => t.Name == teamName, ct);
        if (team is null) return Result.NotFound($"team {teamName} not found");
        if (userId != actor.UserId && !IsOwner(actor, team)) return Result.Forbidden("only team owners remove members");
        var member = team.Members.FirstOrDefault(m => m.UserId == userId);
        if (member is null) return Result.NotFound("not a member of this team");
        if (IsLastOwner(team, member)) return Result.Conflict("the last owner cannot leave: make someone else owner, or delete the team");
        db.TeamMembers.Remove(member);
        AuditLog.Record(db, actor, userId == actor.UserId ? "team.leave" : "team.member.remove", $"{teamName}:{await AuditLog.UserNameAsync(db, userId, ct)}");
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Owners delete a team that no longer owns collections (its entity goes with it).</summary>
    public async Task<Result<bool>> DeleteAsync(Actor actor, string teamName, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var team = await db.Teams.Include(t => t.Members).FirstOrDefaultAsync(t => t.Name == teamName, ct);
        if (team is null) return Result.NotFound($"team {teamName} not found");
        if (!IsOwner(actor, team)) return Result.Forbidden("only team owners delete a team");
        if (await db.Collections.AnyAsync(c => c.Entity!.TeamId == team.Id, ct))
            return Result.Conflict($"team {teamName} still owns collections: delete them first");
        db.Entities.RemoveRange(db.Entities.Where(e => e.TeamId == team.Id));
        db.Teams.Remove(team);
        AuditLog.Record(db, actor, "team.delete", teamName);
        await db.SaveChangesAsync(ct);
        return true;
    }

    internal static bool IsOwner(Actor actor, Team team) =>
        actor.IsAdmin || team.Members.Any(m => m.UserId == actor.UserId && m.Role == TeamRole.Owner);

    private static bool IsLastOwner(Team team, TeamMember member) =>
        member.Role == TeamRole.Owner && team.Members.Count(m => m.Role == TeamRole.Owner) == 1;
}
