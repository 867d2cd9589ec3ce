using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;

namespace Registry.Core.Collections;

/// <summary>A collection's star count and whether the viewer starred it.</summary>
public sealed record StarState(bool Starred, int Count);

/// <summary>Stars (favourites) on collections the actor may see.</summary>
public sealed class StarService(IDbContextFactory<RegistryDbContext> dbFactory)
{
    public async Task<StarState> GetAsync(Actor actor, string collectionId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var count = await db.Collections.Where(c => c.Id == collectionId).Select(c => c.StarCount).FirstOrDefaultAsync(ct);
        var starred = actor.IsAuthenticated && await db.Stars.AnyAsync(s => s.CollectionId == collectionId && s.UserId == actor.UserId, ct);
        return new StarState(starred, count);
    }

    /// <summary>Stars or unstars; only signed-in users, only collections they can see.</summary>
    public async Task<Result<StarState>> SetAsync(Actor actor, string collectionId, bool starred, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("sign in to star collections");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collection = await db.Collections.AsNoTracking().WithAccessGraph().FirstOrDefaultAsync(c => c.Id == collectionId, ct);
        if (collection is null || !AccessRules.For(actor, collection).CanView) return Result.NotFound("collection not found");
        var existing = await db.Stars.FirstOrDefaultAsync(s => s.CollectionId == collectionId && s.UserId == actor.UserId, ct);
        if (starred && existing is null) db.Stars.Add(new Star { CollectionId = collectionId, UserId = actor.UserId! });
        if (!starred && existing is not null) db.Stars.Remove(existing);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) when (starred && existing is null)
        {
            // A racing request of the same user (a double click, two tabs) starred it first; whatever came after, this
            // star happened. A collection deleted meanwhile is answered below.
        }
        catch (DbUpdateConcurrencyException) when (!starred)
        {
            // Unstarred by a racing request first: likewise.
        }
        var count = await db.Collections.Where(c => c.Id == collectionId).Select(c => (int?)c.StarCount).FirstOrDefaultAsync(ct);
        return count is null ? Result.NotFound("collection not found") : new StarState(starred, count.Value);
    }
}
