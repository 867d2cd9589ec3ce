using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Teams;

namespace Registry.Core.Entities;

/// <summary>
/// An entity by name with the collections the asker may see and their sizes, in one compiled, untracked SQL query (the
/// asker's own memberships only: all <see cref="AccessRules"/> reads). The asker's role in each collection is a scalar
/// subquery, not a nested list: a nested list is a join inside a LEFT JOIN, which SQLite materialises for every
/// collection of the registry instead of looking up this entity's.
/// Per instance: a compiled query is bound to the first EF model it runs with (tests build several).
/// </summary>
internal sealed class EntityLookup
{
    private sealed record Row(Entity Entity, Team? Team, List<TeamMember> TeamMembers, List<CollectionRow> Collections);
    private sealed record CollectionRow(Collection Collection, CollectionRole? Role, long Size);

    private readonly Func<RegistryDbContext, string, string, Task<Row?>> _query =
        EF.CompileAsyncQuery((RegistryDbContext db, string name, string userId) =>
            db.Entities.AsNoTracking().AsSingleQuery() // the member list holds the asker only: nothing multiplies
                .Where(e => e.Name == name)
                .Select(e => new Row(
                    e, e.Team, e.Team!.Members.Where(m => m.UserId == userId).ToList(),
                    e.Collections.OrderBy(c => c.Name).Select(c => new CollectionRow(
                        c, c.Members.Where(m => m.UserId == userId).Select(m => (CollectionRole?)m.Role).FirstOrDefault(),
                        db.Images.Where(i => i.Uploaded && i.Container!.CollectionId == c.Id).Sum(i => (long?)i.Size) ?? 0)).ToList()))
                .FirstOrDefault());

    public async Task<Entity?> FindAsync(RegistryDbContext db, Actor actor, string name)
    {
        var row = await _query(db, name, actor.UserId ?? "");
        if (row is null) return null;
        var entity = row.Entity;
        if (row.Team is not null) row.Team.Members = row.TeamMembers;
        entity.Team = row.Team;
        foreach (var c in row.Collections)
        {
            c.Collection.Entity = entity;
            c.Collection.Members = c.Role is { } role ? [new CollectionMember { CollectionId = c.Collection.Id, UserId = actor.UserId!, Role = role }] : [];
            c.Collection.Size = c.Size;
        }
        // A private collection's id (and its bytes) are not shown to outsiders.
        entity.Collections = row.Collections.Select(c => c.Collection).Where(c => AccessRules.For(actor, c).CanView).ToList();
        entity.Size = entity.Collections.Sum(c => c.Size);
        return entity;
    }
}
