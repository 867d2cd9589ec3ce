using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Tags;
using Registry.Core.Teams;

namespace Registry.Core.Images;

/// <summary>
/// The hot read behind every pull and <c>GET /v1/images/…</c>: one compiled, untracked SQL query returns the container,
/// its access graph (the collection's and the team's members: a lab's handful), the image the ref points to and that
/// image's tags. Found images are remembered per ref, for every caller alike (<see cref="Access.AccessRules"/> finds the
/// caller among the members), until the next database write made by this process or the admin CLI
/// (<see cref="WriteGeneration"/>), and for <see cref="CacheLifetime"/> at most. Per (user, ref) keys made every user and
/// anonymous callers fill the cache again with copies of the same graph: the bench's two callers over 10,000 refs hit the
/// cap and cleared it over and over.
/// What it hands out are immutable records (<see cref="ResolvedImage"/>, <see cref="StoredImage"/>), shared between requests.
/// </summary>
internal sealed class ImageLookup(WriteGeneration writes)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(60); // a backstop for edits made with sqlite3 by hand
    private const int MaxCached = 20_000; // a few KB each at most
    private sealed record Cached(ResolvedImage Image, long Generation, long Until);
    private readonly ConcurrentDictionary<string, Cached> _cache = new(StringComparer.Ordinal);
    private sealed record CachedById(StoredImage Image, long Generation, long Until);
    private readonly ConcurrentDictionary<string, CachedById> _byId = new(StringComparer.Ordinal);

    private sealed record Row(
        Container Container, Collection Collection, Entity Entity, Team? Team,
        List<CollectionMember> CollectionMembers, List<TeamMember> TeamMembers, Image? Image, List<Tag> ImageTags, int Stars);

    // hash set: the version with that hash (arch ignored); else the tag, on the arch if given, else the most recently set one.
    // Per instance, not static: a compiled query is bound to the first model it runs with (one per app, but tests build several).
    private readonly Func<RegistryDbContext, string, string, string, string, string?, string?, Task<Row?>> _query =
        EF.CompileAsyncQuery((RegistryDbContext db, string entity, string collection, string container, string tag, string? arch, string? hash) =>
            (from x in db.Containers.AsNoTracking()
             where x.Name == container && x.Collection!.Name == collection && x.Collection.Entity!.Name == entity
             let imageId = hash != null
                 ? x.Images.Where(i => i.Hash == hash).Select(i => i.Id).FirstOrDefault()
                 : x.Tags.Where(t => t.Name == tag && (arch == null || t.Arch == arch)).OrderByDescending(t => t.UpdatedAt).Select(t => t.ImageId).FirstOrDefault()
             join i in db.Images.AsNoTracking() on imageId equals i.Id into found
             from image in found.DefaultIfEmpty()
             select new Row(
                 x, x.Collection!, x.Collection!.Entity!, x.Collection.Entity!.Team,
                 x.Collection.Members.ToList(),
                 x.Collection.Entity!.Team!.Members.ToList(),
                 image, image == null ? new List<Tag>() : image.Tags.ToList(), x.Collection.Stars.Count()))
                .FirstOrDefault());

    /// <summary>The image the ref points to (with its container's access graph inside), or null when there is none.</summary>
    public async Task<ResolvedImage?> FindAsync(IDbContextFactory<RegistryDbContext> dbFactory, ImageRef reference, string? arch, CancellationToken ct)
    {
        var key = $"{reference.Path}\n{reference.Tag}\n{arch}\n{reference.Hash?.Hex}";
        var generation = writes.Current; // noted before the query: a write landing meanwhile makes this entry stale
        if (_cache.TryGetValue(key, out var hit) && hit.Generation == generation && Stopwatch.GetTimestamp() < hit.Until)
            return hit.Image;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await QueryAsync(db, reference, arch);
        if (found is not null)
        {
            if (_cache.Count >= MaxCached) _cache.Clear();
            _cache[key] = new Cached(found, generation, CacheExpiry.FromNow(CacheLifetime));
        }
        return found;
    }

    /// <summary>An uploaded image by id, behind every ranged request of a concurrent pull (hundreds per image), cached the same way.</summary>
    public async Task<StoredImage?> FindUploadedAsync(IDbContextFactory<RegistryDbContext> dbFactory, string imageId, CancellationToken ct)
    {
        var generation = writes.Current;
        if (_byId.TryGetValue(imageId, out var hit) && hit.Generation == generation && Stopwatch.GetTimestamp() < hit.Until)
            return hit.Image;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var image = await db.Images.AsNoTracking().Where(i => i.Id == imageId && i.Uploaded)
            .Select(i => new StoredImage(i.Id, i.Hash, i.Size)).FirstOrDefaultAsync(ct);
        if (image is not null)
        {
            if (_byId.Count >= MaxCached) _byId.Clear();
            _byId[imageId] = new CachedById(image, generation, CacheExpiry.FromNow(CacheLifetime));
        }
        return image;
    }

    private async Task<ResolvedImage?> QueryAsync(RegistryDbContext db, ImageRef reference, string? arch)
    {
        var row = await _query(db, reference.Entity, reference.Collection, reference.Container, reference.Tag,
            string.IsNullOrEmpty(arch) ? null : arch, reference.Hash?.Hex);
        if (row?.Image is null) return null;
        row.Collection.Members = row.CollectionMembers;
        row.Collection.StarCount = row.Stars;
        if (row.Team is not null) row.Team.Members = row.TeamMembers;
        row.Entity.Team = row.Team;
        row.Collection.Entity = row.Entity;
        row.Image.Tags = row.ImageTags;
        return ResolvedImage.From(row.Image, row.Container, row.Collection);
    }
}
