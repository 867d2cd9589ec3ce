using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Images;
using Registry.Core.Storage;

namespace Registry.Core.Search;

/// <summary>
/// Search over the labels inside SIF files (<c>%labels</c> of the definition file). Labels are read from the blobs'
/// descriptor tables, not stored in the database, and kept in memory per content hash: a blob's labels never change.
/// </summary>
public sealed class LabelSearch(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, CollectionBrowser browser)
{
    /// <summary>Bounds the first, uncached search of a large registry: the most recently uploaded images are read first.</summary>
    public const int MaxImages = 5000;

    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _byHash = new();

    /// <summary>Visible containers with an image whose label key or value contains <paramref name="value"/>; the matches as "key: value".</summary>
    public async Task<List<RecentContainer>> MatchesAsync(Access.Actor actor, string value, int take, CancellationToken ct = default)
    {
        value = value.Trim();
        if (value.Length < 3) return [];
        var visible = (await browser.VisibleAsync(actor, ct)).ToDictionary(c => c.Id);
        var ids = visible.Keys.ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var images = await db.Images.AsNoTracking().Where(i => i.Uploaded && ids.Contains(i.Container!.CollectionId))
            .OrderByDescending(i => i.UploadedAt).Take(MaxImages)
            .Select(i => new { i.Hash, i.Container!.CollectionId, Container = i.Container.Name, i.Container.UpdatedAt }).ToListAsync(ct);

        var found = new List<RecentContainer>();
        foreach (var group in images.GroupBy(i => (i.CollectionId, i.Container)))
        {
            var matches = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var image in group)
                foreach (var (key, label) in await LabelsOfAsync(image.Hash))
                    if (key.Contains(value, StringComparison.OrdinalIgnoreCase) || label.Contains(value, StringComparison.OrdinalIgnoreCase))
                        matches.Add($"{key}: {label}");
            if (matches.Count == 0) continue;
            var c = visible[group.Key.CollectionId];
            found.Add(new RecentContainer(c.Entity, c.Name, group.Key.Container, group.First().UpdatedAt, matches.Take(5).ToList()));
        }
        return found.OrderByDescending(r => r.UpdatedAt).Take(take).ToList();
    }

    private async Task<IReadOnlyDictionary<string, string>> LabelsOfAsync(string hash)
    {
        if (_byHash.TryGetValue(hash, out var cached)) return cached;
        var digest = new Digest(hash);
        if (!blobs.Exists(digest)) return new Dictionary<string, string>();
        // Blobs can sit on slow disks: read the small descriptor table off the caller's thread.
        var labels = await Task.Run(() =>
        {
            try
            {
                using var stream = blobs.OpenRead(digest);
                return SifReader.Read(stream)?.Labels ?? new Dictionary<string, string>();
            }
            catch (IOException) { return null; } // removed by a concurrent delete: not cached, simply no labels now
        });
        if (labels is null) return new Dictionary<string, string>();
        _byHash[hash] = labels;
        return labels;
    }
}
