using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;

namespace Registry.Core.Search;

/// <summary>
/// Search over the labels inside SIF files (<c>%labels</c> of the definition file), stored per image when it is published
/// (<see cref="Images.ImageLabels"/>): one query, no SIF header read. Images published before labels were stored are
/// filled in by <see cref="LabelBackfill"/>.
/// </summary>
public sealed class LabelSearch(IDbContextFactory<RegistryDbContext> dbFactory)
{
    /// <summary>Matches listed per container.</summary>
    public const int MatchesShown = 5;

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
        var visible = db.Collections.VisibleTo(actor);
        // Through the search index (SearchMatches): the user's % and _ are plain characters, not LIKE wildcards.
        var matching = SearchMatches.Labels(db, folded).AsNoTracking()
            .Where(l => l.Image!.Uploaded && visible.Any(c => c.Id == l.Image.Container!.CollectionId));
        var containers = await db.Containers.AsNoTracking()
            .Where(c => matching.Select(l => l.Image!.ContainerId).Contains(c.Id))
            .OrderByDescending(c => c.UpdatedAt).ThenBy(c => c.Id).Take(take)
            .Select(c => new { c.Id, Entity = c.Collection!.Entity!.Name, Collection = c.Collection.Name, c.Name, c.UpdatedAt }).ToListAsync(ct);
        var containerIds = containers.Select(c => c.Id).ToList();
        var labels = (await matching.Where(l => containerIds.Contains(l.Image!.ContainerId))
                .Select(l => new { l.Image!.ContainerId, l.Key, l.Value }).ToListAsync(ct))
            .ToLookup(l => l.ContainerId, l => $"{l.Key}: {l.Value}");

        return containers.Select(c => new RecentContainer(c.Entity, c.Collection, c.Name, c.UpdatedAt,
                labels[c.Id].Distinct().Order(StringComparer.Ordinal).Take(MatchesShown).ToList()))
            .ToList();
    }
}
