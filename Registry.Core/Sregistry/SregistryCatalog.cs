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
public sealed class SregistryCatalog(IDbContextFactory<RegistryDbContext> dbFactory, CollectionBrowser browser)
{
    public const int MaxLabels = 1000;

    /// <summary>Visible collections (optionally only those named <paramref name="collection"/>), ordered by name then entity.</summary>
    public async Task<List<CollectionSummary>> CollectionsAsync(Actor actor, string? collection = null, CancellationToken ct = default) =>
        (await browser.VisibleAsync(actor, ct)).Where(c => collection is null || c.Name == collection)
            .OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Entity, StringComparer.Ordinal).ToList();

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

    /// <summary>Stored SIF labels of visible tagged images, matching <paramref name="key"/> and <paramref name="value"/> exactly when given.</summary>
    public async Task<List<SregistryLabel>> LabelsAsync(Actor actor, string? key, string? value, CancellationToken ct = default)
    {
        var collections = await CollectionsAsync(actor, ct: ct);
        var rows = await RowsAsync(collections, ct: ct);
        var uris = rows.ToLookup(r => r.ImageId, r => r.Uri);
        var imageIds = uris.Select(g => g.Key).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var labels = await db.ImageLabels.AsNoTracking()
            .Where(l => imageIds.Contains(l.ImageId) && (key == null || l.Key == key) && (value == null || l.Value == value))
            .Select(l => new { l.Key, l.Value, l.ImageId }).ToListAsync(ct);
        return labels.GroupBy(l => (l.Key, l.Value))
            .OrderBy(g => g.Key.Key, StringComparer.Ordinal).ThenBy(g => g.Key.Value, StringComparer.Ordinal).Take(MaxLabels)
            .Select(g => new SregistryLabel(g.Key.Key, g.Key.Value, g.SelectMany(l => uris[l.ImageId]).Distinct().Order(StringComparer.Ordinal).ToList()))
            .ToList();
    }
}
