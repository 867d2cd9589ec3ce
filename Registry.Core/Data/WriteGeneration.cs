using System.Diagnostics;

namespace Registry.Core.Data;

/// <summary>
/// The read caches' clock (image lookups, token lookups): a number that moves whenever the database may have changed in a
/// way a cached read depends on. A cache notes it before its query and trusts an entry only while it has not moved.
/// What moves it, and nothing else:
/// <list type="bullet">
/// <item>every <c>SaveChanges</c> that wrote a row, and every committed transaction (<see cref="WriteGenerationInterceptor"/>,
/// both after the data is visible, so a reader that noted the number before always sees a newer one afterwards);</item>
/// <item>an explicit <see cref="Bump"/> after a raw <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> that changes what a cache
/// holds and is not followed by a <c>SaveChanges</c> (counters and last-used times are not: they call nothing);</item>
/// <item>another process's writes: the admin CLI touches <see cref="SignalWritesTo">a signal file</see> after each of its
/// writes, and the server <see cref="WatchWritesOf">watches</see> it;</item>
/// <item>another node's writes on a shared PostgreSQL database (<see cref="Postgres.PostgresWriteFeed"/> calls
/// <see cref="LearnOfWriteElsewhere"/>).</item>
/// </list>
/// One per process (a singleton); <see cref="Current"/> is read several times per request and costs one stat(2) per 10 ms at most.
/// </summary>
public sealed class WriteGeneration
{
    // Hot reads ask for the generation several times per request; one stat(2) per 10 ms is enough to see a CLI write
    // long before a person or script who ran the CLI can send the next request.
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(10);

    private long _generation;
    private string? _signalFile;
    private volatile Watched[] _watched = [];

    /// <summary>Changes whenever this process, or a process whose signal file is watched, wrote.</summary>
    public long Current
    {
        get
        {
            foreach (var w in _watched)
                if (w.Changed()) Interlocked.Increment(ref _generation);
            return Interlocked.Read(ref _generation);
        }
    }

    /// <summary>
    /// Raised after each write of this process (never for writes learnt of elsewhere): other nodes are told of it
    /// (<see cref="Postgres.PostgresWriteFeed"/>). Handlers must be quick and must not throw.
    /// </summary>
    public event Action? MovedHere;

    /// <summary>Drops every cached read of this process (and of a server watching this process's signal file).</summary>
    public void Bump()
    {
        Interlocked.Increment(ref _generation);
        if (_signalFile is { } file) Touch(file);
        MovedHere?.Invoke();
    }

    /// <summary>Another node wrote: drops every cached read of this process, and tells nobody.</summary>
    public void LearnOfWriteElsewhere() => Interlocked.Increment(ref _generation);

    /// <summary>The admin CLI: after each write, touch <paramref name="file"/> so a running server drops its cached reads.</summary>
    public void SignalWritesTo(string file) => _signalFile = file;

    /// <summary>The server: a new time on <paramref name="file"/> (the admin CLI wrote) counts as a write of this process.</summary>
    public void WatchWritesOf(string file)
    {
        lock (this)
            if (_watched.All(w => w.File != file)) _watched = [.. _watched, new Watched(file)];
    }

    private sealed class Watched(string file)
    {
        private long _ticks = Stamp(file).Ticks;
        private long _checkedAt;
        public string File => file;

        public bool Changed()
        {
            var at = Stopwatch.GetTimestamp();
            var last = Interlocked.Read(ref _checkedAt);
            if (last != 0 && Stopwatch.GetElapsedTime(last, at) < CheckInterval) return false;
            Interlocked.Exchange(ref _checkedAt, at);
            var now = Stamp(file).Ticks;
            var seen = Interlocked.Read(ref _ticks);
            return now != seen && Interlocked.CompareExchange(ref _ticks, now, seen) == seen;
        }
    }

    private static DateTime Stamp(string file)
    {
        try { return System.IO.File.GetLastWriteTimeUtc(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return default; }
    }

    private static void Touch(string file)
    {
        try
        {
            if (!System.IO.File.Exists(file)) System.IO.File.WriteAllBytes(file, []);
            System.IO.File.SetLastWriteTimeUtc(file, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* the cache lifetime still bounds staleness */ }
    }
}
