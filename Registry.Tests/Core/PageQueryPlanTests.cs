using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Images;
using Registry.Core.Sregistry;
using static Registry.Tests.Core.QueryPlanTests;

namespace Registry.Tests.Core;

/// <summary>
/// Issue 18, continued (<see cref="QueryPlanTests"/>): the label search, the home page's recent containers, a collection
/// page and a container page read through keys and indexes, from SQLite's own <c>EXPLAIN QUERY PLAN</c> of the commands the code sends: no
/// line of any plan scans a table; the only scans walk an index in order under a LIMIT, or the page a LIMIT already cut.
/// </summary>
public sealed class PageQueryPlanTests
{
    private static async Task AssertNoTableScanAsync(TestDatabase db, IEnumerable<Sent> commands, params string[] orderedIndexes)
    {
        foreach (var sent in commands)
        {
            var plan = await PlanAsync(db, sent);
            var shown = sent.Sql + "\n" + string.Join("\n", plan);
            var pages = plan.Where(l => l.StartsWith("CO-ROUTINE ")).Select(l => "SCAN " + l["CO-ROUTINE ".Length..]).ToList();
            plan.Where(l => l.StartsWith("SCAN")).ShouldAllBe(l => orderedIndexes.Any(l.Contains) || pages.Contains(l), shown);
            sent.Sql.Contains("ROW_NUMBER").ShouldBeFalse(shown); // a window over every row of a table
        }
    }

    [Fact]
    public async Task The_sregistry_label_search_starts_from_the_matching_labels()
    {
        var log = new CommandLog();
        await using var db = await TestDatabase.CreateAsync(log);
        var data = new BrowseFixture(db);
        await data.BuildAsync(40);
        await using (var ctx = await db.Factory.CreateDbContextAsync())
        {
            foreach (var image in await ctx.Images.Include(i => i.Container).ToListAsync())
            {
                ctx.ImageLabels.Add(new ImageLabel { ImageId = image.Id, Key = "maintainer", Value = image.Container!.Name });
                ctx.ImageLabels.Add(new ImageLabel { ImageId = image.Id, Key = "build", Value = image.Hash[..8] });
            }
            await ctx.SaveChangesAsync();
        }
        var catalog = new SregistryCatalog(db.Factory);
        foreach (var (actor, key, value) in new (Actor, string?, string?)[]
                 { (Actor.Anonymous, null, "tool1"), (data.Owner, "maintainer", null), (data.Stranger, "maintainer", "tool2") })
        {
            log.Commands.Clear();
            var labels = await catalog.LabelsAsync(actor, key, value);
            var expected = data.Collections.Values.Where(c => !c.IsPrivate || (actor == data.Owner && c.Path.StartsWith("owner/"))).Where(c => c.Containers > 0).ToList();
            labels.ShouldNotBeEmpty();
            labels.ShouldAllBe(l => l.Key == "maintainer" && (value == null || l.Value == value));
            labels.SelectMany(l => l.Containers).Distinct().Count()
                .ShouldBe(expected.Sum(c => Enumerable.Range(0, c.Containers).Count(k => value == null || $"tool{k}" == value)));
            var sent = log.Commands.ShouldHaveSingleItem();
            var plan = await PlanAsync(db, sent);
            var index = value is null ? "IX_ImageLabels_Key" : "IX_ImageLabels_Value";
            plan.ShouldContain(l => l.Contains(index), string.Join("\n", plan));
            await AssertNoTableScanAsync(db, log.Commands);
        }
    }

    [Fact]
    public async Task The_sregistry_collection_listing_pages_in_SQL_by_the_name_index()
    {
        var log = new CommandLog();
        await using var db = await TestDatabase.CreateAsync(log);
        var data = new BrowseFixture(db);
        await data.BuildAsync(40);
        var catalog = new SregistryCatalog(db.Factory);
        log.Commands.Clear();

        var (page, count) = await catalog.PageAsync(Actor.Anonymous, 5, 10);

        var expected = data.Collections.Values.Where(c => !c.IsPrivate).Select(c => (Name: c.Path.Split('/')[1], Entity: c.Path.Split('/')[0]))
            .OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Entity, StringComparer.Ordinal).ToList();
        count.ShouldBe(expected.Count);
        page.Select(c => (c.Name, c.Entity)).ShouldBe(expected.Skip(5).Take(10));
        var sent = log.Commands.Single(c => c.Sql.Contains("LIMIT"));
        var plan = await PlanAsync(db, sent);
        plan.ShouldContain(l => l.Contains("IX_Collections_Name"), string.Join("\n", plan));
        await AssertNoTableScanAsync(db, [sent], "IX_Collections_Name");
        // The paged command sorts keys only: the rows it skips never run the per-row subqueries (members, stars, containers).
        sent.Sql.ShouldNotContain("Members", Case.Sensitive, sent.Sql);
        sent.Sql.ShouldNotContain("\"Stars\"", Case.Sensitive, sent.Sql);
    }

    [Fact]
    public async Task Home_reads_the_newest_containers_by_index_and_only_their_tags()
    {
        var log = new CommandLog();
        await using var db = await TestDatabase.CreateAsync(log);
        var data = new BrowseFixture(db);
        await data.BuildAsync(40);
        var browser = new CollectionBrowser(db.Factory, new ViewerCache(db.Writes));
        log.Commands.Clear();

        var recent = await browser.RecentAsync(Actor.Anonymous, 5);

        recent.Count.ShouldBe(5);
        recent.Select(r => r.UpdatedAt).ShouldBe(recent.Select(r => r.UpdatedAt).OrderDescending());
        recent.ShouldAllBe(r => r.Tags.SequenceEqual(new[] { "v1" }));
        log.Commands.Count.ShouldBe(2);
        await AssertNoTableScanAsync(db, log.Commands, "IX_Containers_UpdatedAt");
    }

    [Fact]
    public async Task A_collection_page_reads_one_page_of_its_containers_by_its_key()
    {
        var log = new CommandLog();
        await using var db = await TestDatabase.CreateAsync(log);
        var data = new BrowseFixture(db);
        await data.BuildAsync(40);
        var (id, shape) = data.Collections.First(c => c.Value.Containers == 4 && !c.Value.IsPrivate);
        var browser = new CollectionBrowser(db.Factory, new ViewerCache(db.Writes));
        log.Commands.Clear();

        var view = await browser.OpenAsync(Actor.Anonymous, shape.Path.Split('/')[0], shape.Path.Split('/')[1]);

        view.Value!.Containers.Select(x => x.Name).ShouldBe(["tool0", "tool1", "tool2", "tool3"]);
        view.Value.Containers.ShouldAllBe(x => x.Tags.Count == 1 && x.Images.Count == 1);
        view.Value.Collection.Id.ShouldBe(id);
        await AssertNoTableScanAsync(db, log.Commands.Where(c => c.Sql.Contains("\"Containers\"")));
    }

    [Fact]
    public async Task A_container_page_reads_one_page_of_its_tags_from_the_newest_by_index_and_only_their_digests()
    {
        var log = new CommandLog();
        await using var db = await TestDatabase.CreateAsync(log);
        var owner = await db.AddUserAsync("owner");
        await TallContainer.AddAsync(db, owner, tags: 620, untagged: 3);
        var browser = new ContainerBrowser(db.Factory);

        // The first page: the container, two counts, 50 tags with their images, the rows of their names, their pushed manifests.
        // The last: 20 tags and the 3 untagged images (one more query).
        foreach (var (page, rows, queries) in new[] { (0, 50, 6), (12, 23, 7) })
        {
            log.Commands.Clear();
            var view = (await browser.OpenAsync(Actor.Anonymous, "owner", "deep", "tall", page)).Value!;

            view.Rows.Count.ShouldBe(rows);
            view.Total.ShouldBe(623);
            view.Rows.ShouldAllBe(r => r.Manifest != null);
            var shown = string.Join("\n\n", log.Commands.Select(c => c.Sql));
            log.Commands.Count.ShouldBe(queries, shown);
            // No query reads the container's images but to count them or as a page; its manifests only for the shown images
            // (the container's id and one id per image; EF pads the list by repeating the last one).
            log.Commands.Where(c => c.Sql.Contains("\"Images\"")).ShouldAllBe(c => c.Sql.Contains("LIMIT") || c.Sql.Contains("COUNT"), shown);
            log.Commands.Single(c => c.Sql.Contains("\"OciManifests\"")).Parameters.Select(p => p.Value).Distinct().Count().ShouldBe(rows + 1);
            var tagPage = log.Commands.Single(c => c.Sql.Contains(".\"UpdatedAt\" DESC") && c.Sql.Contains("LIMIT"));
            var plan = await PlanAsync(db, tagPage);
            plan.ShouldContain(l => l.Contains("IX_Tags_ContainerId_UpdatedAt"), string.Join("\n", plan));
            plan.ShouldNotContain(l => l.Contains("TEMP B-TREE") && !l.Contains("RIGHT PART"), tagPage.Sql + "\n" + string.Join("\n", plan));
            await AssertNoTableScanAsync(db, log.Commands);
        }
    }
}
