using Registry.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;

namespace Registry.Tests.Core;

/// <summary>
/// Issue 18: the grid, visibility and home counts moved from memory into SQL. The SQL filter sees exactly what
/// <see cref="AccessRules.For"/> allows, every page walk shows each visible collection exactly once in the asked order,
/// and the counts follow deletes.
/// </summary>
public class CollectionBrowserPagingTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private TestDatabase _db = default!;
    private BrowseFixture _data = default!;
    private CollectionBrowser _browser = default!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Provider);
        _data = new BrowseFixture(_db);
        await _data.BuildAsync(57);
        _browser = new CollectionBrowser(_db.Factory, new ViewerCache(_db.Writes));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private IEnumerable<Actor> Actors()
    {
        var restrictedTo = _data.Collections.First(c => c.Value.IsPrivate && c.Value.Path.StartsWith("owner/")).Key;
        return [Actor.Anonymous, _data.Owner, _data.Contributor, _data.Stranger, _data.Admin, _data.TeamReader,
            _data.Owner with { Scope = TokenScope.Read, RestrictedToCollectionId = restrictedTo },
            _data.Admin with { RestrictedToCollectionId = restrictedTo },
            _data.Stranger with { RestrictedToCollectionId = restrictedTo }];
    }

    private async Task<HashSet<string>> ExpectedVisibleAsync(Actor actor)
    {
        await using var db = await _db.Factory.CreateDbContextAsync();
        var all = await db.Collections.AsNoTracking().WithAccessGraph().AsSplitQuery().ToListAsync();
        return all.Where(c => AccessRules.For(actor, c).CanView).Select(c => c.Id).ToHashSet();
    }

    [Fact]
    public async Task The_SQL_filter_sees_exactly_what_the_access_rules_allow_for_every_kind_of_actor()
    {
        foreach (var actor in Actors())
        {
            await using var db = await _db.Factory.CreateDbContextAsync();
            var sql = await db.Collections.VisibleTo(actor).Select(c => c.Id).ToListAsync();
            var expected = await ExpectedVisibleAsync(actor);
            sql.Count.ShouldBe(sql.Distinct().Count());
            sql.ToHashSet().SetEquals(expected).ShouldBeTrue($"{actor.UserName} restricted={actor.RestrictedToCollectionId}");
        }
        (await ExpectedVisibleAsync(_data.Stranger)).Count.ShouldBeLessThan(_data.Collections.Count); // the data has private ones
    }

    public static TheoryData<string?, bool> Sorts => new()
    {
        { null, false }, { "Stars", false }, { "Stars", true }, { "Containers", false }, { "Containers", true }, { "Bytes", true },
        { "UpdatedAt", false }, { "UpdatedAt", true }, { "IsPrivate", true }, { "Path", false }, { "Path", true },
    };

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task Walking_the_pages_shows_every_visible_collection_exactly_once_in_order(string? sortBy, bool descending)
    {
        foreach (var actor in new[] { Actor.Anonymous, _data.Owner, _data.Admin })
        {
            var seen = new List<CollectionSummary>();
            for (var page = 0; ; page++)
            {
                var result = await _browser.PageAsync(actor, new CollectionQuery(SortBy: sortBy, Descending: descending, Page: page, PageSize: 7));
                result.Total.ShouldBe((await ExpectedVisibleAsync(actor)).Count);
                if (result.Items.Count == 0) break;
                result.Items.Count.ShouldBeLessThanOrEqualTo(7);
                seen.AddRange(result.Items);
            }
            seen.Select(s => s.Id).ShouldBe(seen.Select(s => s.Id).Distinct());
            seen.Select(s => s.Id).ToHashSet().SetEquals(await ExpectedVisibleAsync(actor)).ShouldBeTrue();
            foreach (var row in seen)
            {
                var known = _data.Collections[row.Id];
                (row.Path, row.IsPrivate, row.Containers, row.Bytes, row.Stars).ShouldBe((known.Path, known.IsPrivate, known.Containers, known.Bytes, known.Stars));
                row.ContainerNames.Count.ShouldBe(known.Containers);
            }
            seen.ShouldBe(InOrder(seen, sortBy, descending));
        }
    }

    private static List<CollectionSummary> InOrder(List<CollectionSummary> rows, string? by, bool descending)
    {
        if (by is null) return rows.OrderByDescending(r => r.Stars).ThenBy(r => r.Path, StringComparer.Ordinal).ToList();
        Func<CollectionSummary, object> key = by switch
        {
            "Stars" => r => r.Stars, "Containers" => r => r.Containers, "Bytes" => r => r.Bytes,
            "UpdatedAt" => r => r.UpdatedAt, "IsPrivate" => r => r.IsPrivate, _ => r => r.Path,
        };
        return (descending ? rows.OrderByDescending(key) : rows.OrderBy(key)).ThenBy(r => r.Path, StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task Mine_starred_and_the_search_filter_in_SQL_as_they_did_in_memory()
    {
        var mine = await _browser.PageAsync(_data.Contributor, new CollectionQuery(Filter: CollectionFilter.Mine, PageSize: 500));
        mine.Items.ShouldNotBeEmpty();
        mine.Items.ShouldAllBe(r => r.IsMine && r.IsPrivate); // the contributor is a member of private ones only
        (await _browser.PageAsync(Actor.Anonymous, new CollectionQuery(Filter: CollectionFilter.Mine))).Total.ShouldBe(0);

        var starred = await _browser.PageAsync(_data.Stranger, new CollectionQuery(Filter: CollectionFilter.Starred, PageSize: 500));
        starred.Items.ShouldNotBeEmpty();
        starred.Items.ShouldAllBe(r => r.StarredByMe && !r.IsPrivate);

        var byContainer = await _browser.PageAsync(Actor.Anonymous, new CollectionQuery(Search: "TOOL3", PageSize: 500));
        byContainer.Items.ShouldNotBeEmpty();
        byContainer.Items.ShouldAllBe(r => r.ContainerNames.Contains("tool3"));
        byContainer.Total.ShouldBe(_data.Collections.Values.Count(c => !c.IsPrivate && c.Containers == 4));
        var byEntity = await _browser.PageAsync(Actor.Anonymous, new CollectionQuery(Search: "LAB/", PageSize: 500));
        byEntity.Total.ShouldBe(_data.Collections.Values.Count(c => !c.IsPrivate && c.Path.StartsWith("lab/")));
        byEntity.Items.ShouldNotBeEmpty();
        byEntity.Items.ShouldAllBe(r => r.Entity == "lab");
        (await _browser.PageAsync(Actor.Anonymous, new CollectionQuery(Search: "50%"))).Total.ShouldBe(0); // % is a character, not a wildcard
    }

    [Fact]
    public async Task Home_counts_follow_deletes_and_new_private_collections_stay_hidden_from_others()
    {
        var before = await _browser.StatsAsync(Actor.Anonymous);
        var publicOnes = _data.Collections.Values.Where(c => !c.IsPrivate).ToList();
        before.ShouldBe(new RegistryStats(publicOnes.Count, publicOnes.Sum(c => c.Containers), publicOnes.Sum(c => c.Containers),
            publicOnes.Sum(c => c.Bytes), publicOnes.Sum(c => c.Bytes)));
        (await _browser.StatsAsync(Actor.Anonymous)).ShouldBe(before); // served again (kept until a write)

        var victim = _data.Collections.First(c => !c.Value.IsPrivate && c.Value.Containers > 0);
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            db.Containers.Remove(await db.Containers.FirstAsync(x => x.CollectionId == victim.Key));
            await db.SaveChangesAsync();
        }
        var after = await _browser.StatsAsync(Actor.Anonymous);
        after.Containers.ShouldBe(before.Containers - 1);
        after.Images.ShouldBe(before.Images - 1);
        after.Bytes.ShouldBeLessThan(before.Bytes);

        var admin = await _browser.StatsAsync(_data.Admin);
        admin.Collections.ShouldBe(_data.Collections.Count);
        (await _browser.StatsAsync(_data.Stranger)).Collections.ShouldBe(after.Collections); // a stranger sees what anonymous sees
        var storage = await _browser.StorageAsync(Actor.Anonymous);
        storage.StoredBytes.ShouldBe(after.StoredBytes);
        storage.Bytes.ShouldBe(after.Bytes);
        storage.Largest.ShouldAllBe(c => !c.IsPrivate);
    }

    [Fact]
    public async Task Concurrent_readers_during_writes_never_see_counts_from_before_a_write_they_waited_for()
    {
        var baseline = await _browser.StatsAsync(_data.Admin);
        var readers = Enumerable.Range(0, 16).Select(_ => _browser.StatsAsync(_data.Admin)).ToList();
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            db.Collections.Remove(await db.Collections.FirstAsync(c => c.Id == _data.Collections.Keys.First()));
            await db.SaveChangesAsync();
        }
        await Task.WhenAll(readers);
        readers.ShouldAllBe(r => r.Result.Collections == baseline.Collections || r.Result.Collections == baseline.Collections - 1);
        (await _browser.StatsAsync(_data.Admin)).Collections.ShouldBe(baseline.Collections - 1);
    }
}
