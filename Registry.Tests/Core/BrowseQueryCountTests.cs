using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Registry.Core.Access;
using Registry.Core.Collections;

namespace Registry.Tests.Core;

/// <summary>
/// Issue 18: the query shape of the browse read models. A grid page issues a fixed number of SQL commands whatever the
/// registry's size, and home counts are computed once per write, not once per view.
/// </summary>
public sealed class BrowseQueryCountTests
{
    private sealed class CommandCounter : DbCommandInterceptor
    {
        public int Count;
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Count);
            return ValueTask.FromResult(result);
        }
    }

    private static async Task<int> CommandsOfGridPageAsync(int collections)
    {
        var counter = new CommandCounter();
        await using var db = await TestDatabase.CreateAsync(counter);
        var data = new BrowseFixture(db);
        await data.BuildAsync(collections);
        var browser = new CollectionBrowser(db.Factory, new ViewerCache(db.Writes));
        var before = counter.Count;
        var page = await browser.PageAsync(data.Owner, new CollectionQuery(Page: 1, PageSize: 10));
        page.Items.Count.ShouldBe(10);
        return counter.Count - before;
    }

    [Fact]
    public async Task A_grid_page_issues_the_same_few_commands_for_30_and_300_collections()
    {
        var small = await CommandsOfGridPageAsync(30);
        var large = await CommandsOfGridPageAsync(300);
        small.ShouldBeLessThanOrEqualTo(4); // count, the page's ids, its rows, its container names
        large.ShouldBe(small);
    }

    [Fact]
    public async Task Home_counts_are_computed_once_until_a_write_and_again_after_it()
    {
        var counter = new CommandCounter();
        await using var db = await TestDatabase.CreateAsync(counter);
        var data = new BrowseFixture(db);
        await data.BuildAsync(20);
        var browser = new CollectionBrowser(db.Factory, new ViewerCache(db.Writes));

        var first = await browser.StatsAsync(Actor.Anonymous);
        var afterFirst = counter.Count;
        var again = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => browser.StatsAsync(Actor.Anonymous)));
        counter.Count.ShouldBe(afterFirst);
        again.ShouldAllBe(s => s == first);

        await using (var ctx = await db.Factory.CreateDbContextAsync())
        {
            ctx.Collections.Add(new Collection { EntityId = data.TeamEntityId, Name = "fresh", CreatedById = data.Owner.UserId! });
            await ctx.SaveChangesAsync();
        }
        var beforeRecompute = counter.Count;
        (await browser.StatsAsync(Actor.Anonymous)).Collections.ShouldBe(first.Collections + 1);
        counter.Count.ShouldBeGreaterThan(beforeRecompute);
    }
}
