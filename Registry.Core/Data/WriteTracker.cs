using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Registry.Core.Data;

/// <summary>
/// Counts database writes made through this process, so in-memory read caches know when they may be stale. Bumped after
/// every command that is not a plain read and again after every commit: a reader that noted the generation before a
/// write became visible always sees a newer one afterwards. Writes inside <see cref="Neutral"/> (download counters, token
/// last-used times) don't count. Writes by the admin CLI (another process) reach the server through a signal file.
/// </summary>
public static class WriteTracker
{
    private static readonly AsyncLocal<bool> InNeutral = new();

    /// <summary>
    /// Until disposed, this flow's writes don't count: for writes no cached read depends on. (A <c>TagWith</c> tag could
    /// not mark them: EF drops tags from <c>ExecuteUpdate</c>, so each token's once-a-minute last-used time and each
    /// download's counter dropped every cached read, and 40k cached reads a second fell to 4.5k while the cache refilled.)
    /// </summary>
    public static NeutralScope Neutral()
    {
        InNeutral.Value = true;
        return default;
    }

    public readonly struct NeutralScope : IDisposable
    {
        public void Dispose() => InNeutral.Value = false;
    }

    private static long _generation;
    private static string? _signalFile;
    private static volatile Watched[] _watched = [];

    /// <summary>Changes whenever this process or the admin CLI wrote (the CLI's writes are seen through its signal file).</summary>
    public static long Generation
    {
        get
        {
            foreach (var w in _watched) w.Check(); // one stat(2) each per 10 ms at most
            return Interlocked.Read(ref _generation);
        }
    }

    public static void Bump()
    {
        Interlocked.Increment(ref _generation);
        if (_signalFile is { } file) Touch(file);
    }

    /// <summary>The admin CLI: after each write, touch <paramref name="file"/> so a running server drops its cached reads.</summary>
    public static void SignalWritesTo(string file) => _signalFile = file;

    /// <summary>The server: a new time on <paramref name="file"/> (the admin CLI wrote) counts as a write of this process.</summary>
    public static void WatchWritesOf(string file)
    {
        lock (typeof(WriteTracker))
            if (_watched.All(w => w.File != file)) _watched = [.. _watched, new Watched(file)];
    }

    // Hot reads ask for the generation several times per request; one stat(2) per 10 ms is enough to see a CLI write
    // long before a person or script who ran the CLI can send the next request.
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(10);

    private sealed class Watched(string file)
    {
        private long _ticks = Stamp(file).Ticks;
        private long _checkedAt;
        public string File => file;

        public void Check()
        {
            var at = Stopwatch.GetTimestamp();
            var last = Interlocked.Read(ref _checkedAt);
            if (last != 0 && Stopwatch.GetElapsedTime(last, at) < CheckInterval) return;
            Interlocked.Exchange(ref _checkedAt, at);
            var now = Stamp(file).Ticks;
            var seen = Interlocked.Read(ref _ticks);
            if (now != seen && Interlocked.CompareExchange(ref _ticks, now, seen) == seen) Interlocked.Increment(ref _generation);
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

    internal static bool IsWrite(DbCommand command)
    {
        if (InNeutral.Value) return false;
        var text = command.CommandText.AsSpan().TrimStart();
        return !(text.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || text.StartsWith("PRAGMA", StringComparison.OrdinalIgnoreCase));
    }
}

internal sealed class WriteCommandInterceptor : DbCommandInterceptor
{
    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        if (WriteTracker.IsWrite(command)) WriteTracker.Bump();
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken ct = default)
    {
        if (WriteTracker.IsWrite(command)) WriteTracker.Bump();
        return ValueTask.FromResult(result);
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        if (WriteTracker.IsWrite(command)) WriteTracker.Bump();
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken ct = default)
    {
        if (WriteTracker.IsWrite(command)) WriteTracker.Bump();
        return ValueTask.FromResult(result);
    }
}

internal sealed class WriteCommitInterceptor : DbTransactionInterceptor
{
    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => WriteTracker.Bump();

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        WriteTracker.Bump();
        return Task.CompletedTask;
    }
}
