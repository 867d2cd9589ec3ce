using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;

namespace Registry.Tests.Core;

/// <summary>
/// The home counts and the treemap are one aggregate per view, recomputed after a write: many page views arriving
/// together while it is missing share one computation, and a write makes the next view compute afresh.
/// </summary>
public sealed class ViewerCacheTests
{
    [Fact]
    public async Task Views_arriving_together_share_one_computation_and_a_write_starts_the_next()
    {
        var writes = new WriteGeneration();
        var cache = new ViewerCache(writes);
        var computations = 0;
        var release = new TaskCompletionSource();
        async Task<string> Compute()
        {
            var n = Interlocked.Increment(ref computations);
            await release.Task;
            return $"result {n}";
        }

        using var start = new Barrier(32);
        var views = Enumerable.Range(0, 32).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return cache.GetAsync("home", Actor.Anonymous, Compute);
        })).ToArray();
        await Task.Delay(200);
        release.SetResult();
        (await Task.WhenAll(views)).ShouldAllBe(r => r == "result 1");
        computations.ShouldBe(1);

        (await cache.GetAsync("home", Actor.Anonymous, Compute)).ShouldBe("result 1");
        writes.Bump();
        (await cache.GetAsync("home", Actor.Anonymous, Compute)).ShouldBe("result 2");
        computations.ShouldBe(2);
    }

    [Fact]
    public async Task A_failed_computation_is_not_kept()
    {
        var cache = new ViewerCache(new WriteGeneration());
        await Should.ThrowAsync<InvalidOperationException>(() =>
            cache.GetAsync<string>("treemap", Actor.Anonymous, () => throw new InvalidOperationException("database gone")));
        (await cache.GetAsync("treemap", Actor.Anonymous, () => Task.FromResult("recovered"))).ShouldBe("recovered");
    }
}
