using Microsoft.EntityFrameworkCore;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Images;
using Registry.Core.Search;
using Registry.Core.Tags;

namespace Registry.Tests.Core;

/// <summary>
/// Issue 18: a value in many containers is answered by walking the containers newest-first (<see cref="NewestMatches"/>),
/// a rare one from its candidates, and one too common for the first way and too rare in the newest rows for the second
/// by all its candidates. With bounds small enough that this data takes every way, each answer (containers, tags, labels;
/// anonymous, a stranger, the owner) is the one the candidates alone give, newest first and visible only, also after edits
/// and deletes; the walk reads the UpdatedAt index under a LIMIT and scans no table. On PostgreSQL too
/// (<see cref="Postgres.CommonWordSearchTestsOnPostgres"/>).
/// </summary>
public class CommonWordSearchTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;
    private const int Window = 13; // a parameter value no other command sends: marks the walk in the log
    private static readonly NewestMatches Small = new(CandidateCap: 3, WalkWindow: Window);
    private static readonly NewestMatches CandidatesOnly = new(CandidateCap: int.MaxValue - 1, WalkWindow: 0);
    private readonly QueryPlanTests.CommandLog _log = new();
    private TestDatabase _db = default!;
    private Actor _owner = default!, _stranger = default!;
    private readonly DateTime _start = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Provider, _log);
        _owner = await _db.AddUserAsync("zowner");
        _stranger = await _db.AddUserAsync("zstranger");
        await using var ctx = await _db.Factory.CreateDbContextAsync();
        var entity = await ctx.Entities.SingleAsync(e => e.Name == "zowner");
        var pub = new Collection { EntityId = entity.Id, Name = "pub", CreatedById = _owner.UserId! };
        var vault = new Collection { EntityId = entity.Id, Name = "vault", IsPrivate = true, CreatedById = _owner.UserId! };
        var toolbox = new Collection { EntityId = entity.Id, Name = "toolbox", CreatedById = _owner.UserId! };
        ctx.Collections.AddRange(pub, vault, toolbox);
        for (var i = 0; i < 60; i++) // updated in pairs (ties broken by id); every third private
            Add(ctx, i % 3 == 2 ? vault : pub, $"tool-{i}", i % 10 == 0 ? "Rare FINDER" : "", _start.AddMinutes(i / 2),
                i % 4 == 0 ? $"tooltag-{i}" : "v1", i % 5 == 0 ? "labelword" : "other");
        for (var i = 0; i < 3; i++) Add(ctx, toolbox, $"alpha{i}", "", _start.AddDays(-1).AddMinutes(i), "v1", "other"); // by path only, oldest
        await ctx.SaveChangesAsync();
    }

    private static void Add(Registry.Core.Data.RegistryDbContext ctx, Collection c, string name, string description, DateTime updated, string tag, string label)
    {
        var x = new Container { CollectionId = c.Id, Name = name, Description = description, UpdatedAt = updated };
        ctx.Containers.Add(x);
        var image = new Image { ContainerId = x.Id, Hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(c.Name + name))),
            Size = 1000, Uploaded = true, Arch = "amd64", UploadedAt = updated, LabelsRead = true };
        ctx.Images.Add(image);
        ctx.Tags.Add(new Tag { ContainerId = x.Id, ImageId = image.Id, Arch = "amd64", Name = tag });
        ctx.ImageLabels.Add(new ImageLabel { ImageId = image.Id, Key = "org.lab.kind", Value = label });
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private Task<List<string>> FoundAsync(NewestMatches matches, Actor actor, string value, int take) => Kind(value) switch
    {
        "tags" => Paths(new CollectionBrowser(_db.Factory, new ViewerCache(_db.Writes)) { Matches = matches }.TagMatchesAsync(actor, value, take)),
        "labels" => Paths(new LabelSearch(_db.Factory) { Matches = matches }.MatchesAsync(actor, value, take)),
        _ => FindAsync(matches, actor, value, take),
    };

    private static string Kind(string value) => value.StartsWith("tooltag") ? "tags" : value == "labelword" ? "labels" : "containers";

    private async Task<List<string>> FindAsync(NewestMatches matches, Actor actor, string value, int take)
    {
        var found = await new SearchService(_db.Factory) { Matches = matches }.FindAsync(actor, value, take);
        found.Succeeded.ShouldBeTrue(found.Message);
        return found.Value!.Containers.Select(x => $"{x.Collection!.Entity!.Name}/{x.Collection.Name}/{x.Name}").ToList();
    }

    private static async Task<List<string>> Paths(Task<List<RecentContainer>> found) => (await found).Select(r => r.Path).ToList();

    /// <summary>What anonymous must get, from the rows themselves: public containers matching, newest first, ties by id.</summary>
    private async Task<List<string>> PublicExpectedAsync(string value, int take)
    {
        await using var ctx = await _db.Factory.CreateDbContextAsync();
        var rows = await ctx.Containers.Include(x => x.Collection!).ThenInclude(c => c.Entity).Include(x => x.Tags)
            .Where(x => !x.Collection!.IsPrivate).ToListAsync();
        var labelled = (await ctx.ImageLabels.Where(l => l.Value == value).Select(l => l.Image!.ContainerId).ToListAsync()).ToHashSet();
        return rows.Where(x => Kind(value) switch
            {
                "tags" => x.Tags.Any(t => t.Name.Contains(value)),
                "labels" => labelled.Contains(x.Id),
                _ => $"{x.Collection!.Entity!.Name}/{x.Collection.Name}/{x.Name}".Contains(value) || x.Description.ToLowerInvariant().Contains(value)
                     || x.Tags.Any(t => t.Name.Contains(value)),
            })
            .OrderByDescending(x => x.UpdatedAt).ThenBy(x => x.Id, StringComparer.Ordinal).Take(take)
            .Select(x => $"{x.Collection!.Entity!.Name}/{x.Collection.Name}/{x.Name}").ToList();
    }

    private static readonly (string Value, int Take)[] Cases =
    [
        ("tool", 5), ("tool", 200), ("finder", 2), ("finder", 200), ("toolbox/", 2), ("zowner/pub/tool-1", 4), ("tool-5", 3),
        ("tooltag", 3), ("tooltag", 50), ("labelword", 2), ("labelword", 50),
    ];

    [Fact]
    public async Task Every_way_answers_what_the_candidates_answer_newest_first_and_visible_only()
    {
        var walks = 0;
        foreach (var (value, take) in Cases)
        foreach (var actor in new[] { Actor.Anonymous, _stranger, _owner })
        {
            _log.Commands.Clear();
            var found = await FoundAsync(Small, actor, value, take);
            walks += _log.Commands.Count(IsWalk);
            var expected = await FoundAsync(CandidatesOnly, actor, value, take);
            found.ShouldBe(expected, $"{value} ×{take} for '{actor.UserName}'");
            expected.ShouldNotBeEmpty(value);
            if (actor != _owner) found.ShouldBe(await PublicExpectedAsync(value, take), $"{value} ×{take}");
            else if (value == "tool") found.ShouldContain(p => p.StartsWith("zowner/vault/"), value);
        }
        walks.ShouldBeGreaterThan(10);
    }

    [Fact]
    public async Task What_is_deleted_or_renamed_is_found_no_more_by_either_way()
    {
        await using (var ctx = await _db.Factory.CreateDbContextAsync())
        {
            await ctx.Containers.Where(x => x.Name == "tool-58" || x.Name == "tool-57").ExecuteDeleteAsync();
            await ctx.Containers.Where(x => x.Name == "tool-59").ExecuteUpdateAsync(u => u.SetProperty(x => x.Name, "hammer"));
            await ctx.Tags.Where(t => t.Name == "tooltag-56").ExecuteDeleteAsync();
            await ctx.ImageLabels.Where(l => l.Image!.Container!.Name == "tool-55").ExecuteUpdateAsync(u => u.SetProperty(l => l.Value, "gone"));
        }
        foreach (var actor in new[] { Actor.Anonymous, _owner })
        {
            var tools = await FoundAsync(Small, actor, "tool", 5);
            tools.ShouldBe(await FoundAsync(CandidatesOnly, actor, "tool", 5));
            tools.ShouldNotContain(p => p.EndsWith("/tool-58") || p.EndsWith("/tool-57") || p.EndsWith("/hammer"));
            if (actor == _owner) tools[0].ShouldBe("zowner/vault/tool-56"); // the newest left
            else tools.ShouldBe(await PublicExpectedAsync("tool", 5));
            var tagged = await FoundAsync(Small, actor, "tooltag", 3);
            tagged.ShouldBe(await FoundAsync(CandidatesOnly, actor, "tooltag", 3));
            tagged.ShouldNotContain("zowner/vault/tool-56");
            (await FoundAsync(Small, actor, "labelword", 2)).ShouldNotContain("zowner/pub/tool-55");
            (await FoundAsync(Small, actor, "hammer", 5)).ShouldBe(actor == _owner ? ["zowner/vault/hammer"] : []);
        }
    }

    [Fact]
    public async Task The_walk_reads_the_UpdatedAt_index_under_a_limit_and_a_search_sends_a_fixed_number_of_commands()
    {
        foreach (var actor in new[] { Actor.Anonymous, _owner })
        {
            _log.Commands.Clear();
            (await new SearchService(_db.Factory) { Matches = Small }.SearchAsync(actor, "tool", [], false)).Succeeded.ShouldBeTrue();
            var full = _log.Commands.Count;
            _log.Commands.Clear();
            (await new SearchService(_db.Factory) { Matches = Small }.SearchAsync(actor, "tool-5", [], false)).Succeeded.ShouldBeTrue();
            _log.Commands.Count.ShouldBeLessThanOrEqualTo(full); // how many match does not add commands (no collection matches: one fewer)
            full.ShouldBeLessThanOrEqualTo(11, string.Join("\n\n", _log.Commands.Select(c => c.Sql)));

            _log.Commands.Clear();
            (await new SearchService(_db.Factory) { Matches = Small }.FindAsync(actor, "tool", 5)).Succeeded.ShouldBeTrue();
            _log.Commands.Count.ShouldBe(5, string.Join("\n\n", _log.Commands.Select(c => c.Sql)));
            var walk = _log.Commands.Where(IsWalk).ShouldHaveSingleItem();
            var plan = await SearchPlans.PlanAsync(_db, Provider, walk);
            var shown = walk.Sql + "\n--\n" + string.Join("\n", plan);
            plan.ShouldContain(l => l.Contains("IX_Containers_UpdatedAt"), shown);
            if (Provider == DatabaseProvider.Sqlite)
            {
                var pages = plan.Where(l => l.StartsWith("CO-ROUTINE ")).Select(l => "SCAN " + l["CO-ROUTINE ".Length..]).ToList();
                plan.Where(l => l.StartsWith("SCAN ")).ShouldAllBe(l => l.Contains("IX_Containers_UpdatedAt") || l.Contains("VIRTUAL TABLE") || pages.Contains(l), shown);
            }
            else plan.ShouldNotContain(l => l.Contains("Seq Scan"), shown);
        }
    }

    private static bool IsWalk(QueryPlanTests.Sent sent) => sent.Parameters.Any(p => p.Value is Window);
}
