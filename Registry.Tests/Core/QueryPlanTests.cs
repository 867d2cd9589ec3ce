using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Search;

namespace Registry.Tests.Core;

/// <summary>
/// Issue 18: what SQLite does with the queries that must not grow with the registry, read from its own
/// <c>EXPLAIN QUERY PLAN</c> of the exact commands the code sends: the collections grid's default page reads the maintained
/// counters in index order (no scan of Stars, Containers or Images, no sort of every collection), the treemap asks for the
/// largest collections with a LIMIT, and the label backfill walks the index of unread images.
/// </summary>
public sealed class QueryPlanTests
{
    internal sealed record Sent(string Sql, List<(string Name, object? Value)> Parameters);

    internal sealed class CommandLog : DbCommandInterceptor
    {
        public readonly List<Sent> Commands = [];
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken ct = default)
        {
            lock (Commands)
                Commands.Add(new Sent(command.CommandText, command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value)).ToList()));
            return ValueTask.FromResult(result);
        }
    }

    internal static async Task<List<string>> PlanAsync(TestDatabase db, Sent sent)
    {
        await using var context = await db.Factory.CreateDbContextAsync();
        await context.Database.OpenConnectionAsync(); // as EF opens it: with the app's functions (registry_fold)
        var connection = (SqliteConnection)context.Database.GetDbConnection();
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + sent.Sql;
        foreach (var (name, value) in sent.Parameters) explain.Parameters.AddWithValue(name, value ?? DBNull.Value);
        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync()) plan.Add(reader.GetString(3));
        return plan;
    }

    [Fact]
    public async Task The_grid_default_page_walks_the_star_count_index_and_counts_nothing()
    {
        var log = new CommandLog();
        await using var db = await TestDatabase.CreateAsync(log);
        var data = new BrowseFixture(db);
        await data.BuildAsync(60);
        var browser = new CollectionBrowser(db.Factory, new ViewerCache(db.Writes));
        foreach (var actor in new[] { Actor.Anonymous, data.Owner })
        {
            log.Commands.Clear();
            var page = await browser.PageAsync(actor, new CollectionQuery(PageSize: 10));
            page.Items.Select(i => i.Stars).ShouldBe(page.Items.Select(i => i.Stars).OrderDescending());
            page.Items.ShouldAllBe(i => i.Stars == data.Collections[i.Id].Stars && i.Containers == data.Collections[i.Id].Containers
                                        && i.Bytes == data.Collections[i.Id].Bytes);

            var sent = log.Commands.Single(c => c.Sql.Contains("LIMIT"));
            sent.Sql.ShouldNotContain("COUNT(");
            sent.Sql.ShouldNotContain("SUM(");
            var plan = await PlanAsync(db, sent);
            var shown = string.Join("\n", plan);
            plan.ShouldContain(l => l.Contains("IX_Collections_StarCount"), shown);
            plan.ShouldNotContain(l => l.Contains("USE TEMP B-TREE FOR ORDER BY"), shown); // ties by path are sorted within a star count only
            // Scans only of the index, in order, and of the page EF's subquery already cut with its LIMIT (a co-routine).
            var pages = plan.Where(l => l.StartsWith("CO-ROUTINE ")).Select(l => "SCAN " + l["CO-ROUTINE ".Length..]).ToList();
            plan.Where(l => l.StartsWith("SCAN")).ShouldAllBe(l => l.Contains("IX_Collections_StarCount") || pages.Contains(l), shown);
        }
    }

    [Fact]
    public async Task The_treemap_draws_the_largest_collections_and_one_box_for_the_rest()
    {
        var log = new CommandLog();
        await using var db = await TestDatabase.CreateAsync(log);
        var data = new BrowseFixture(db);
        await data.BuildAsync(60);
        var browser = new CollectionBrowser(db.Factory, new ViewerCache(db.Writes));
        log.Commands.Clear();

        var storage = await browser.StorageAsync(data.Admin, largest: 10);
        var holding = data.Collections.Values.Where(c => c.Bytes > 0).OrderByDescending(c => c.Bytes).ToList();
        holding.Count.ShouldBeGreaterThan(10);
        storage.Largest.Select(c => c.Path).ShouldBe(holding.Take(10).Select(c => c.Path));
        storage.Largest.Select(c => c.Bytes).ShouldBe(holding.Take(10).Select(c => c.Bytes));
        storage.OtherCount.ShouldBe(holding.Count - 10);
        storage.OtherBytes.ShouldBe(holding.Skip(10).Sum(c => c.Bytes));
        storage.Bytes.ShouldBe(holding.Sum(c => c.Bytes));
        storage.StoredBytes.ShouldBe((await browser.StatsAsync(data.Admin)).StoredBytes);

        var top = log.Commands.Single(c => c.Sql.Contains("LIMIT"));
        var plan = await PlanAsync(db, top);
        plan.ShouldContain(l => l.Contains("IX_Collections_Bytes"), string.Join("\n", plan));
        plan.ShouldNotContain(l => l.Contains("USE TEMP B-TREE FOR ORDER BY"), string.Join("\n", plan));
        foreach (var perContainer in log.Commands.Where(c => c.Sql.Contains("GROUP BY")))
        {
            var lines = await PlanAsync(db, perContainer); // only the largest collections' images are read, through their keys
            lines.ShouldNotContain(l => l.StartsWith("SCAN i") || l.StartsWith("SCAN c0") || l.StartsWith("SCAN c"), string.Join("\n", lines));
        }
    }

    [Fact]
    public async Task The_label_backfill_walks_the_index_of_unread_images_only()
    {
        var log = new CommandLog();
        await using var db = await TestDatabase.CreateAsync(log);
        await new BrowseFixture(db).BuildAsync(10);
        log.Commands.Clear();
        var backfill = new LabelBackfill(db.Factory, new Registry.Core.Storage.FileSystem.FileSystemBlobStore(db.Root),
            new Registry.Core.Nodes.ClusterJobLock(Microsoft.Extensions.Options.Options.Create(new Registry.Core.RegistryOptions { DataPath = db.Root })),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<LabelBackfill>.Instance);
        (await backfill.RunAsync()).ShouldBe(0); // the fixture's blobs are not on disk: each unread image is skipped, once
        var query = log.Commands.First(c => c.Sql.Contains("LabelsRead"));
        var plan = await PlanAsync(db, query);
        plan.ShouldHaveSingleItem().ShouldStartWith("SEARCH");
        plan[0].ShouldContain("USING INDEX IX_Images_LabelsUnread (Id>?)");
    }
}
