using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Registry.Core.Data;

/// <summary>
/// Counts database writes made through this process, so in-memory read caches know when they may be stale. Bumped after
/// every command that is not a plain read and again after every commit: a reader that noted the generation before a
/// write became visible always sees a newer one afterwards. Writes tagged <see cref="Neutral"/> (download counters,
/// token last-used times) don't count.
/// </summary>
public static class WriteTracker
{
    /// <summary>Use with <c>TagWith</c> on a write no cached read depends on.</summary>
    public const string Neutral = "cache-neutral";

    private static long _generation;

    public static long Generation => Interlocked.Read(ref _generation);

    public static void Bump() => Interlocked.Increment(ref _generation);

    internal static bool IsWrite(DbCommand command)
    {
        var text = command.CommandText.AsSpan().TrimStart();
        if (text.StartsWith("-- " + Neutral, StringComparison.Ordinal)) return false;
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
