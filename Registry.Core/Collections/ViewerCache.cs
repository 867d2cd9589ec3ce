using System.Collections.Concurrent;
using Registry.Core.Access;
using Registry.Core.Data;

namespace Registry.Core.Collections;

/// <summary>
/// Aggregates over everything a viewer may see (home counts, the treemap) cost a pass over every image row. They are kept
/// per view (anonymous, admin, or one user) until the database is written (<see cref="WriteGeneration"/>), so a page
/// view costs a lookup and a write costs one recomputation, shared by the requests that arrive while it runs.
/// </summary>
public sealed class ViewerCache(WriteGeneration writes)
{
    /// <summary>
    /// The key of a second instance for the search page's results: what users type would otherwise fill this one and push
    /// out the aggregates, which cost a pass over every image to compute again.
    /// </summary>
    public const string ForSearches = "searches";

    /// <summary>Entries kept before all are dropped (one per signed-in viewer and aggregate): bounds memory, not correctness.</summary>
    public const int MaxEntries = 4096;

    // Lazy: under contention ConcurrentDictionary may call a value factory twice and keep one result; the Lazy it keeps
    // is the only one whose computation starts.
    private readonly ConcurrentDictionary<string, (long Generation, Lazy<Task<object>> Value)> _entries = new();

    public async Task<T> GetAsync<T>(string what, Actor actor, Func<Task<T>> compute) where T : class
    {
        var key = $"{what}|{KeyOf(actor)}";
        var generation = writes.Current; // noted before the query: a write during it leaves an entry that is already stale
        if (_entries.TryGetValue(key, out var hit) && Usable(hit, generation))
            return (T)await hit.Value.Value;
        if (_entries.Count >= MaxEntries) _entries.Clear();
        var entry = _entries.AddOrUpdate(key, _ => (generation, new(() => Start(compute))),
            (_, old) => Usable(old, generation) ? old : (generation, new(() => Start(compute))));
        return (T)await entry.Value.Value;
    }

    private static bool Usable((long Generation, Lazy<Task<object>> Value) entry, long generation) =>
        entry.Generation == generation && !(entry.Value.IsValueCreated && (entry.Value.Value.IsFaulted || entry.Value.Value.IsCanceled));

    /// <summary>
    /// Starts the computation without the caller's synchronization context (a circuit's renderer): it is shared, so its
    /// continuations must not queue behind, or die with, the page that happened to start it.
    /// </summary>
    private static Task<object> Start<T>(Func<Task<T>> compute) where T : class
    {
        var caller = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try { return Box(compute()); }
        catch (Exception e) { return Task.FromException<object>(e); } // a faulted entry is replaced; a thrown Lazy would be kept
        finally { SynchronizationContext.SetSynchronizationContext(caller); }

        static async Task<object> Box(Task<T> task) => await task.ConfigureAwait(false);
    }

    /// <summary>Actors that see the same collections share a key.</summary>
    private static string KeyOf(Actor actor) => actor switch
    {
        { IsAuthenticated: false } => "anonymous",
        { IsAdmin: true, RestrictedToCollectionId: null } => "admin",
        _ => $"{actor.UserId}|{actor.IsAdmin}|{actor.RestrictedToCollectionId}",
    };
}
