using Microsoft.EntityFrameworkCore;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Images;

namespace Registry.Tests.Core;

/// <summary>
/// Issue 18: a collection's StarCount, ContainerCount and Bytes are kept by the database and stay equal to counting its
/// rows, whichever way the rows change (EF saves, ExecuteUpdate/Delete as gc and image deletes do, FK cascades, moves) and
/// when requests race on the same collection.
/// </summary>
public class CollectionCounterTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private TestDatabase _db = default!;
    private BrowseFixture _data = default!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Provider);
        _data = new BrowseFixture(_db);
        await _data.BuildAsync(24);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    /// <summary>Every collection's kept counters beside the same figures counted from the rows.</summary>
    private async Task ShouldMatchTheRowsAsync()
    {
        await using var db = await _db.Factory.CreateDbContextAsync();
        var rows = await db.Collections.AsNoTracking().Select(c => new
        {
            c.Id, c.StarCount, c.ContainerCount, c.Bytes,
            Stars = db.Stars.Count(s => s.CollectionId == c.Id),
            Containers = db.Containers.Count(x => x.CollectionId == c.Id),
            Counted = db.Images.Where(i => i.Uploaded && i.Container!.CollectionId == c.Id).Sum(i => (long?)i.Size) ?? 0,
        }).ToListAsync();
        rows.Count.ShouldBeGreaterThan(0);
        foreach (var r in rows)
        {
            r.StarCount.ShouldBe(r.Stars, $"stars of {r.Id}");
            r.ContainerCount.ShouldBe(r.Containers, $"containers of {r.Id}");
            r.Bytes.ShouldBe(r.Counted, $"bytes of {r.Id}");
        }
    }

    [Fact]
    public async Task Counters_follow_saves_moves_gc_deletes_and_cascades()
    {
        await ShouldMatchTheRowsAsync();
        (await TotalsAsync()).ShouldBe((_data.Collections.Values.Sum(c => c.Stars), _data.Collections.Values.Sum(c => c.Containers),
            _data.Collections.Values.Sum(c => c.Bytes)));

        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            var full = await db.Containers.Where(x => x.Images.Count > 0).OrderBy(x => x.Id).Take(4).ToListAsync();
            var target = await db.Collections.Where(c => c.Containers.Count == 0).Select(c => c.Id).FirstAsync();
            full[0].CollectionId = target; // a move takes its images' bytes along
            full[0].Name = "moved";
            await db.SaveChangesAsync();
            // gc marks an image whose blob is gone as not uploaded; an image delete is an ExecuteDelete
            await db.Images.Where(i => i.ContainerId == full[1].Id).ExecuteUpdateAsync(u => u.SetProperty(i => i.Uploaded, false));
            await db.Images.Where(i => i.ContainerId == full[2].Id).ExecuteDeleteAsync();
            db.Containers.Remove(full[3]); // its images go by the FK cascade
            await db.SaveChangesAsync();
            await db.Images.Where(i => i.ContainerId == full[1].Id).ExecuteUpdateAsync(u => u.SetProperty(i => i.Size, 7).SetProperty(i => i.Uploaded, true));
        }
        await ShouldMatchTheRowsAsync();

        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Id == _data.Stranger.UserId).ExecuteDeleteAsync(); // their stars go by the FK cascade
            db.Collections.Remove(await db.Collections.OrderBy(c => c.Id).FirstAsync());
            await db.SaveChangesAsync();
            var loaded = await db.Collections.OrderBy(c => c.Id).FirstAsync(c => c.StarCount > 0);
            await db.Stars.Where(s => s.CollectionId == loaded.Id).ExecuteDeleteAsync();
            loaded.Description = "a save of a loaded collection does not write its stale count back";
            await db.SaveChangesAsync();
        }
        await ShouldMatchTheRowsAsync();
    }

    private async Task<(int Stars, int Containers, long Bytes)> TotalsAsync()
    {
        await using var db = await _db.Factory.CreateDbContextAsync();
        var all = await db.Collections.AsNoTracking().Select(c => new { c.StarCount, c.ContainerCount, c.Bytes }).ToListAsync();
        return (all.Sum(c => c.StarCount), all.Sum(c => c.ContainerCount), all.Sum(c => c.Bytes));
    }

    [Fact]
    public async Task Counters_stay_exact_when_stars_pushes_and_deletes_race_on_one_collection()
    {
        var stars = new StarService(_db.Factory);
        var users = new List<Actor>();
        for (var i = 0; i < 12; i++) users.Add(await _db.AddUserAsync($"fan{i}"));
        string target;
        List<string> existing;
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            target = await db.Collections.Where(c => !c.IsPrivate && c.Containers.Count >= 3).Select(c => c.Id).FirstAsync();
            existing = await db.Containers.Where(x => x.CollectionId == target).Select(x => x.Id).ToListAsync();
        }

        var work = new List<Func<Task>>();
        foreach (var (user, i) in users.Select((u, i) => (u, i)))
        {
            // each user stars twice at once (a double click); every third one unstars at the same time as well
            work.Add(async () => (await stars.SetAsync(user, target, true)).Succeeded.ShouldBeTrue());
            work.Add(async () => (await stars.SetAsync(user, target, true)).Succeeded.ShouldBeTrue());
            if (i % 3 == 0) work.Add(async () => (await stars.SetAsync(user, target, false)).Succeeded.ShouldBeTrue());
        }
        for (var k = 0; k < 12; k++)
        {
            var n = k;
            work.Add(() => PushAsync(target, $"pushed{n}", 1000 + n)); // a container with a staged image, then published
        }
        foreach (var id in existing) work.Add(() => DeleteContainerAsync(id));
        await Task.WhenAll(work.Select(w => Task.Run(w)));

        await ShouldMatchTheRowsAsync();
        await using var check = await _db.Factory.CreateDbContextAsync();
        var kept = await check.Collections.SingleAsync(c => c.Id == target);
        kept.ContainerCount.ShouldBe(12);
        kept.Bytes.ShouldBe(Enumerable.Range(0, 12).Sum(n => 1000L + n));
        kept.StarCount.ShouldBe(await check.Stars.CountAsync(s => s.CollectionId == target));
        var fans = users.Select(u => u.UserId).ToList();
        var starredByFans = await check.Stars.CountAsync(s => s.CollectionId == target && fans.Contains(s.UserId));
        starredByFans.ShouldBeInRange(users.Count - (users.Count + 2) / 3, users.Count); // those that also unstarred may go either way
        (await stars.GetAsync(users[1], target)).ShouldBe(new StarState(true, kept.StarCount));
    }

    /// <summary>A push's two writes: the session's container and image row (not uploaded), then the publish marking it uploaded.</summary>
    private async Task PushAsync(string collectionId, string name, long size)
    {
        var image = new Image { Hash = $"{name}{size}".PadRight(64, '0'), Size = size, Arch = "amd64" };
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            var container = new Container { CollectionId = collectionId, Name = name, AwaitingFirstImage = true };
            image.ContainerId = container.Id;
            db.Containers.Add(container);
            db.Images.Add(image);
            await db.SaveChangesAsync();
        }
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            var staged = await db.Images.SingleAsync(i => i.Id == image.Id);
            staged.Uploaded = true;
            staged.UploadedAt = DateTime.UtcNow;
            await db.SaveChangesAsync();
        }
    }

    private async Task DeleteContainerAsync(string id)
    {
        await using var db = await _db.Factory.CreateDbContextAsync();
        var first = await db.Images.Where(i => i.ContainerId == id).Select(i => i.Id).FirstOrDefaultAsync();
        await db.Images.Where(i => i.Id == first).ExecuteDeleteAsync(); // an image delete, then the container with the rest
        await db.Containers.Where(x => x.Id == id).ExecuteDeleteAsync();
    }
}
