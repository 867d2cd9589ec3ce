using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;

namespace Registry.Core.Sregistry;

/// <summary>One tagged, uploaded image as sregistry lists it: <c>collection/container:tag</c>.</summary>
public sealed record SregistryRow(string CollectionId, string Entity, string Collection, string Container, string Tag,
    string ImageId, string Hash, long Size, bool Frozen, DateTime UpdatedAt, bool Signed, string SignedBy)
{
    public string Uri => $"{Collection}/{Container}:{Tag}";
}

/// <summary>A label key/value and the containers whose images carry it.</summary>
public sealed record SregistryLabel(string Key, string Value, List<string> Containers);

/// <summary>
/// The listings sregistry-cli's <c>search</c> reads: only what the actor may see (public collections for anonymous callers),
/// so private names, counts and labels never leak. See: SREGISTRY-CLI.md "Listing" and "Labels".
/// </summary>
public sealed class SregistryCatalog(IDbContextFactory<RegistryDbContext> dbFactory)
{
    public const int MaxLabels = 1000;

    /// <summary>Visible collections (optionally only those named <paramref name="collection"/>, by its index), ordered by name then entity.</summary>
    public async Task<List<CollectionSummary>> CollectionsAsync(Actor actor, string? collection = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = db.Collections.AsNoTracking().VisibleTo(actor);
        if (collection is not null) visible = visible.Where(c => c.Name == collection);
        return await CollectionGrid.PageAsync(db, actor, visible, nameof(CollectionSummary.Name), false, 0, int.MaxValue, ct);
    }

    /// <summary>One page of the visible collections by name then entity, paged in SQL, and how many are visible.</summary>
    public async Task<(List<CollectionSummary> Page, int Count)> PageAsync(Actor actor, int skip, int take, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = db.Collections.AsNoTracking().VisibleTo(actor);
        var count = await visible.CountAsync(ct);
        var page = skip >= count ? [] : await CollectionGrid.PageAsync(db, actor, visible, nameof(CollectionSummary.Name), false, skip, take, ct);
        return (page, count);
    }

    /// <summary>Tagged, uploaded images in the given visible collections, filtered by container name and tag when given.</summary>
    public async Task<List<SregistryRow>> RowsAsync(IReadOnlyCollection<CollectionSummary> collections, string? container = null, string? tag = null,
        CancellationToken ct = default)
    {
        var byId = collections.ToDictionary(c => c.Id);
        var ids = byId.Keys.ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await (from t in db.Tags.AsNoTracking()
                          join x in db.Containers.AsNoTracking() on t.ContainerId equals x.Id
                          join i in db.Images.AsNoTracking() on t.ImageId equals i.Id
                          where ids.Contains(x.CollectionId) && i.Uploaded && (container == null || x.Name == container) && (tag == null || t.Name == tag)
                          select new { x.CollectionId, Container = x.Name, Tag = t.Name, ImageId = i.Id, i.Hash, i.Size, t.Frozen, t.UpdatedAt, i.Signed, i.SignedBy })
            .ToListAsync(ct);
        // A tag set for several architectures is one sregistry container: the most recently set one stands for it.
        return rows.GroupBy(r => (r.CollectionId, r.Container, r.Tag))
            .Select(g => g.OrderByDescending(r => r.UpdatedAt).First())
            .Select(r => new SregistryRow(r.CollectionId, byId[r.CollectionId].Entity, byId[r.CollectionId].Name, r.Container, r.Tag,
                r.ImageId, r.Hash, r.Size, r.Frozen, r.UpdatedAt, r.Signed == true, r.SignedBy))
            .OrderBy(r => r.Collection, StringComparer.Ordinal).ThenBy(r => r.Entity, StringComparer.Ordinal)
            .ThenBy(r => r.Container, StringComparer.Ordinal).ThenBy(r => r.Tag, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Stored SIF labels of visible tagged images, matching <paramref name="key"/> and <paramref name="value"/> exactly when
    /// given: one query from the matching labels (the Key and Value indexes) to the tags standing for their images, so a
    /// search costs its matches, not the registry. A tag set for several architectures stands for its most recently set
    /// uploaded image, as in <see cref="RowsAsync"/>.
    /// </summary>
    public async Task<List<SregistryLabel>> LabelsAsync(Actor actor, string? key, string? value, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var labels = db.ImageLabels.AsNoTracking();
        if (key is not null) labels = labels.Where(l => l.Key == key);
        if (value is not null) labels = labels.Where(l => l.Value == value);
        var visible = db.Collections.VisibleTo(actor);
        var matches = await (from l in labels
                             join t in db.Tags.AsNoTracking() on l.ImageId equals t.ImageId
                             join x in db.Containers.AsNoTracking() on t.ContainerId equals x.Id
                             where t.Image!.Uploaded && visible.Any(c => c.Id == x.CollectionId)
                                   && !db.Tags.Any(o => o.ContainerId == t.ContainerId && o.Name == t.Name && o.Image!.Uploaded
                                                        && (o.UpdatedAt > t.UpdatedAt || (o.UpdatedAt == t.UpdatedAt && o.Id > t.Id)))
                             select new { l.Key, l.Value, Collection = x.Collection!.Name, Container = x.Name, Tag = t.Name })
            .ToListAsync(ct);
        return matches.GroupBy(l => (l.Key, l.Value))
            .OrderBy(g => g.Key.Key, StringComparer.Ordinal).ThenBy(g => g.Key.Value, StringComparer.Ordinal).Take(MaxLabels)
            .Select(g => new SregistryLabel(g.Key.Key, g.Key.Value,
                g.Select(l => $"{l.Collection}/{l.Container}:{l.Tag}").Distinct().Order(StringComparer.Ordinal).ToList()))
            .ToList();
    }
}
