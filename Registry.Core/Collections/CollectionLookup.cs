using Microsoft.EntityFrameworkCore;
using Registry.Core.Containers;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Teams;

namespace Registry.Core.Collections;

/// <summary>
/// A collection by entity and name in one compiled, untracked SQL query: its access graph (memberships of the asking user
/// only — all <see cref="Access.AccessRules"/> reads), its containers and its size.
/// Per instance: a compiled query is bound to the first EF model it runs with (tests build several).
/// </summary>
internal sealed class CollectionLookup
{
    private sealed record Row(
        Collection Collection, Entity Entity, Team? Team, List<CollectionMember> CollectionMembers, List<TeamMember> TeamMembers,
        List<Container> Containers, long Size);

    private readonly Func<RegistryDbContext, string, string, string, Task<Row?>> _query =
        EF.CompileAsyncQuery((RegistryDbContext db, string entity, string name, string userId) =>
            db.Collections.AsNoTracking().AsSingleQuery() // the member lists hold the asker only: nothing multiplies
                .Where(c => c.Name == name && c.Entity!.Name == entity)
                .Select(c => new Row(
                    c, c.Entity!, c.Entity!.Team,
                    c.Members.Where(m => m.UserId == userId).ToList(),
                    c.Entity!.Team!.Members.Where(m => m.UserId == userId).ToList(),
                    c.Containers.OrderBy(x => x.Name).ToList(),
                    db.Images.Where(i => i.Uploaded && i.Container!.CollectionId == c.Id).Sum(i => (long?)i.Size) ?? 0))
                .FirstOrDefault());

    public async Task<Collection?> FindAsync(RegistryDbContext db, string entity, string name, string userId)
    {
        var row = await _query(db, entity, name, userId);
        if (row is null) return null;
        if (row.Team is not null) row.Team.Members = row.TeamMembers;
        row.Entity.Team = row.Team;
        var collection = row.Collection;
        collection.Entity = row.Entity;
        collection.Members = row.CollectionMembers;
        collection.Containers = row.Containers;
        collection.Size = row.Size;
        return collection;
    }
}
