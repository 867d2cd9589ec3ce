using Microsoft.EntityFrameworkCore;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Images;
using Registry.Core.Teams;

namespace Registry.Core.Containers;

/// <summary>
/// A container by ref in two compiled, untracked SQL queries: the container with its access graph (memberships of the
/// asking user only — all <see cref="Access.AccessRules"/> reads), size and stars; then its images with their tags.
/// Images and tags can't share the first query: as two nested lists they multiply (images × tags rows), and as one list
/// of images with tags they form a join inside a LEFT JOIN, which SQLite materialises for every image of the registry.
/// Per instance: a compiled query is bound to the first EF model it runs with (tests build several).
/// Without images (the container page, which pages its tags itself), the first query leaves out the size and stars too:
/// the size sums every image row of the container.
/// </summary>
internal sealed class ContainerLookup
{
    private sealed record Row(
        Container Container, Collection Collection, Entity Entity, Team? Team, List<CollectionMember> CollectionMembers,
        List<TeamMember> TeamMembers, long Size, int Stars);

    private readonly Func<RegistryDbContext, string, string, string, string, Task<Row?>> _container =
        EF.CompileAsyncQuery((RegistryDbContext db, string entity, string collection, string name, string userId) =>
            db.Containers.AsNoTracking().AsSingleQuery() // the member lists hold the asker only: nothing multiplies
                .Where(x => x.Name == name && x.Collection!.Name == collection && x.Collection.Entity!.Name == entity)
                .Select(x => new Row(
                    x, x.Collection!, x.Collection!.Entity!, x.Collection.Entity!.Team,
                    x.Collection.Members.Where(m => m.UserId == userId).ToList(),
                    x.Collection.Entity!.Team!.Members.Where(m => m.UserId == userId).ToList(),
                    x.Images.Where(i => i.Uploaded).Sum(i => (long?)i.Size) ?? 0,
                    x.Collection.Stars.Count()))
                .FirstOrDefault());

    private readonly Func<RegistryDbContext, string, string, string, string, Task<Row?>> _header =
        EF.CompileAsyncQuery((RegistryDbContext db, string entity, string collection, string name, string userId) =>
            db.Containers.AsNoTracking().AsSingleQuery()
                .Where(x => x.Name == name && x.Collection!.Name == collection && x.Collection.Entity!.Name == entity)
                .Select(x => new Row(
                    x, x.Collection!, x.Collection!.Entity!, x.Collection.Entity!.Team,
                    x.Collection.Members.Where(m => m.UserId == userId).ToList(),
                    x.Collection.Entity!.Team!.Members.Where(m => m.UserId == userId).ToList(), 0L, 0))
                .FirstOrDefault());

    private readonly Func<RegistryDbContext, string, IAsyncEnumerable<Image>> _images =
        EF.CompileAsyncQuery<RegistryDbContext, string, Image>((db, containerId) =>
            db.Images.AsNoTracking().Include(i => i.Tags).Where(i => i.ContainerId == containerId).OrderBy(i => i.CreatedAt));

    public async Task<Container?> FindAsync(RegistryDbContext db, string entity, string collection, string name, string userId,
        CancellationToken ct, bool withImages = true)
    {
        await db.Database.OpenConnectionAsync(ct); // one connection (one round of pragmas) for both queries
        var row = await (withImages ? _container : _header)(db, entity, collection, name, userId);
        if (row is null) return null;
        if (row.Team is not null) row.Team.Members = row.TeamMembers;
        row.Entity.Team = row.Team;
        row.Collection.Entity = row.Entity;
        row.Collection.Members = row.CollectionMembers;
        row.Collection.StarCount = row.Stars;
        var x = row.Container;
        x.Collection = row.Collection;
        x.Size = row.Size;
        if (!withImages) return x;
        x.Images = await _images(db, x.Id).ToListAsync(ct);
        foreach (var image in x.Images) image.Container = x;
        x.Tags = x.Images.SelectMany(i => i.Tags).OrderBy(t => t.Id).ToList();
        return x;
    }
}
