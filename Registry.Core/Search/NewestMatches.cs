using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Data;

namespace Registry.Core.Search;

/// <summary>
/// The newest visible containers a search matches, at a cost that does not grow with how many match (issue 18). First the
/// candidates the search indexes give are counted, up to <see cref="CandidateCap"/>:
/// <list type="bullet">
/// <item>a rare value (that many or fewer): its candidates are checked for visibility and sorted, a few hundred rows;</item>
/// <item>a common value: the containers are walked newest-first by <c>IX_Containers_UpdatedAt</c>, each tested for the
/// match, until <c>take</c> are found: a value in one container of k finds them in about take·k rows, never reading the
/// rest of its matches. The walk stops after <see cref="WalkWindow"/> rows; a value too common for the first way and too
/// rare in the newest rows for the second (its matches mostly old, or hidden from the viewer) is answered the first way
/// over all its candidates: exact, at the cost of its matches.</item>
/// </list>
/// Both ways give the same list: newest first (ties by id), visible only. Tests set smaller bounds to take each way.
/// </summary>
internal sealed record NewestMatches(int CandidateCap = 1000, int WalkWindow = 8000)
{
    public static readonly NewestMatches Default = new();

    /// <summary>
    /// The ids of the <paramref name="take"/> newest visible containers among <paramref name="candidates"/> (the index's
    /// answer, duplicates allowed), which are exactly those that pass <paramref name="matches"/> (the same test on one row).
    /// </summary>
    public async Task<List<string>> ContainerIdsAsync(RegistryDbContext db, IQueryable<Collection> visible, IQueryable<string> candidates,
        Expression<Func<Container, bool>> matches, int take, CancellationToken ct)
    {
        if (await candidates.Take(CandidateCap + 1).CountAsync(ct) > CandidateCap)
        {
            // The window is a prefix of the order: the newest `take` matches within it are the newest of all.
            var walked = await db.Containers.AsNoTracking().OrderByDescending(x => x.UpdatedAt).ThenBy(x => x.Id).Take(WalkWindow)
                .Where(matches).Where(x => visible.Any(c => c.Id == x.CollectionId))
                .OrderByDescending(x => x.UpdatedAt).ThenBy(x => x.Id).Take(take).Select(x => x.Id).ToListAsync(ct);
            if (walked.Count == take) return walked;
        }
        return await db.Containers.AsNoTracking().Where(x => candidates.Contains(x.Id) && visible.Any(c => c.Id == x.CollectionId))
            .OrderByDescending(x => x.UpdatedAt).ThenBy(x => x.Id).Take(take).Select(x => x.Id).ToListAsync(ct);
    }

    /// <summary>Rows loaded by id, in the order of <paramref name="ids"/>.</summary>
    public static List<T> InOrder<T>(IEnumerable<T> rows, Func<T, string> id, List<string> ids)
    {
        var byId = rows.ToDictionary(id);
        return ids.Where(byId.ContainsKey).Select(i => byId[i]).ToList();
    }
}
