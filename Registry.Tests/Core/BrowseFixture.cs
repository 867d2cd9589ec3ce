using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Images;
using Registry.Core.Tags;
using Registry.Core.Teams;

namespace Registry.Tests.Core;

/// <summary>
/// Rows for the browse read models (grid, home counts, treemap), written straight through the data model: users with their
/// entities, a team, public and private collections with members, containers, uploaded images, tags and stars.
/// </summary>
internal sealed class BrowseFixture(TestDatabase db)
{
    public Actor Owner { get; private set; } = default!;
    public Actor Contributor { get; private set; } = default!;
    public Actor Stranger { get; private set; } = default!;
    public Actor Admin { get; private set; } = default!;
    public Actor TeamReader { get; private set; } = default!;
    public string TeamEntityId { get; private set; } = "";

    /// <summary>Collection id → (path, private, container count, bytes, stars).</summary>
    public Dictionary<string, (string Path, bool IsPrivate, int Containers, long Bytes, int Stars)> Collections { get; } = [];

    public async Task BuildAsync(int collections)
    {
        Admin = await db.AddUserAsync("root", isAdmin: true);
        Owner = await db.AddUserAsync("owner");
        Contributor = await db.AddUserAsync("contrib");
        Stranger = await db.AddUserAsync("stranger");
        TeamReader = await db.AddUserAsync("reader");
        await using var ctx = await db.Factory.CreateDbContextAsync();
        var team = new Team { Name = "lab", Members = [new TeamMember { UserId = TeamReader.UserId!, Role = TeamRole.Reader }] };
        ctx.Teams.Add(team);
        var teamEntity = new Registry.Core.Entities.Entity { Name = "lab", Kind = Registry.Core.Entities.EntityKind.Team, TeamId = team.Id };
        ctx.Entities.Add(teamEntity);
        TeamEntityId = teamEntity.Id;
        var ownerEntity = ctx.Entities.Single(e => e.Name == "owner");
        var starrers = new[] { Owner, Contributor, Stranger, Admin, TeamReader };
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < collections; i++)
        {
            var entity = i % 3 == 2 ? teamEntity : ownerEntity;
            var c = new Collection { EntityId = entity.Id, Name = $"c{(i * 37) % collections:D3}", IsPrivate = i % 4 == 1, CreatedById = Owner.UserId!,
                CreatedAt = start, UpdatedAt = start.AddMinutes(i) };
            if (i % 8 == 1) c.Members.Add(new CollectionMember { UserId = Contributor.UserId!, Role = CollectionRole.Contributor });
            ctx.Collections.Add(c);
            var stars = i % 6;
            foreach (var s in starrers.Take(Math.Min(stars, starrers.Length)))
                ctx.Stars.Add(new Star { CollectionId = c.Id, UserId = s.UserId! });
            long bytes = 0;
            var containers = i % 5;
            for (var k = 0; k < containers; k++)
            {
                var x = new Container { CollectionId = c.Id, Name = $"tool{k}", CreatedAt = start, UpdatedAt = start.AddMinutes(i * 3 + k) };
                ctx.Containers.Add(x);
                var image = new Image { ContainerId = x.Id, Hash = $"{i:x32}{k:x32}", Size = 1000 + i * 10 + k, Uploaded = true, Arch = "amd64" };
                bytes += image.Size;
                ctx.Images.Add(image);
                ctx.Tags.Add(new Tag { ContainerId = x.Id, ImageId = image.Id, Arch = "amd64", Name = "v1" });
            }
            Collections[c.Id] = ($"{entity.Name}/{c.Name}", c.IsPrivate, containers, bytes, Math.Min(stars, starrers.Length));
        }
        await ctx.SaveChangesAsync();
    }
}
