using System.Diagnostics;

namespace Registry.Core.Data;

/// <summary>When a cached read expires, as a <see cref="Stopwatch"/> timestamp.</summary>
public static class CacheExpiry
{
    /// <summary>
    /// A random time between half the lifetime and all of it. Entries filled together (after a start, or after a write
    /// dropped them all) would otherwise expire together, and every read in the next seconds would wait on the database.
    /// </summary>
    public static long FromNow(TimeSpan lifetime) =>
        Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * lifetime.TotalSeconds * (0.5 + Random.Shared.NextDouble() / 2));
}
