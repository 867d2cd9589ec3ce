using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Images;

namespace Registry.Core.Search;

/// <summary>
/// Search over the labels inside SIF files (<c>%labels</c> of the definition file), stored per image when it is published
/// (<see cref="Images.ImageLabels"/>), found as <see cref="NewestMatches"/> finds containers: no SIF header read. Images published before labels were stored are
/// filled in by <see cref="LabelBackfill"/>.
/// </summary>
public sealed class LabelSearch(IDbContextFactory<RegistryDbContext> dbFactory)
{
    /// <summary>Matches listed per container.</summary>
    public const int MatchesShown = 5;

    internal NewestMatches Matches { get; init; } = NewestMatches.Default;

    /// <summary>
    /// Visible containers with an uploaded image whose label key or value contains <paramref name="value"/> (case-insensitive
    /// in any script: "ÅNGSTRÖM" finds "Ångström"), newest first; the matches as "key: value".
    /// </summary>
    public async Task<List<RecentContainer>> MatchesAsync(Access.Actor actor, string value, int take, CancellationToken ct = default)
    {
        value = value.Trim();
        if (value.Length < 3) return [];
        var folded = value.ToLowerInvariant();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Through the search index (SearchMatches): the user's % and _ are plain characters, not LIKE wildcards.
        var matching = SearchMatches.Labels(db, folded).AsNoTracking().Where(l => l.Image!.Uploaded);
        var (images, labels) = (db.Images, db.ImageLabels);
        // The same match on one label (ICU-like folding, as PostgreSQL's index folds), for the walk and for the shown labels.
        System.Linq.Expressions.Expression<Func<ImageLabel, bool>> matches = l =>
            RegistryDbContext.Fold(l.Key).Contains(folded) || RegistryDbContext.Fold(l.Value).Contains(folded);
        var ids = await Matches.ContainerIdsAsync(db, db.Collections.VisibleTo(actor), matching.Select(l => l.Image!.ContainerId),
            x => images.Any(i => i.ContainerId == x.Id && i.Uploaded && labels.Where(l => l.ImageId == i.Id).Any(matches)), take, ct);
        var containers = NewestMatches.InOrder(await db.Containers.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, Entity = c.Collection!.Entity!.Name, Collection = c.Collection.Name, c.Name, c.UpdatedAt }).ToListAsync(ct), c => c.Id, ids);
        var found = (await labels.AsNoTracking().Where(l => ids.Contains(l.Image!.ContainerId) && l.Image.Uploaded).Where(matches)
                .Select(l => new { l.Image!.ContainerId, l.Key, l.Value }).ToListAsync(ct))
            .ToLookup(l => l.ContainerId, l => $"{l.Key}: {l.Value}");

        return containers.Select(c => new RecentContainer(c.Entity, c.Collection, c.Name, c.UpdatedAt,
                found[c.Id].Distinct().Order(StringComparer.Ordinal).Take(MatchesShown).ToList()))
            .ToList();
    }
}
