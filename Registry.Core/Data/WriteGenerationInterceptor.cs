using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Registry.Core.Data;

/// <summary>
/// Moves the <see cref="WriteGeneration"/> after every <c>SaveChanges</c> that wrote a row (its own transaction is committed
/// by then) and after every committed transaction (writes made inside one become visible only then). Raw
/// <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> statements are not seen here: their callers bump when a cache depends on them.
/// </summary>
internal sealed class WriteGenerationInterceptor(WriteGeneration generation) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (result > 0) generation.Bump();
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        if (result > 0) generation.Bump();
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => generation.Bump();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        generation.Bump();
        return Task.CompletedTask;
    }
}
