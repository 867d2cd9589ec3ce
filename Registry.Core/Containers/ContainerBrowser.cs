using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Images;
using Registry.Core.Oci;
using Registry.Core.Storage;
using Registry.Core.Tags;

namespace Registry.Core.Containers;

/// <summary>
/// The container page's read model. The container comes without its images; its rows are paged in SQL (tags newest first
/// by <c>IX_Tags_ContainerId_UpdatedAt</c>, then the untagged images), the total is two counts over indexes, and only the
/// shown rows' <c>/v2/</c> manifest digests are worked out: a container of thousands of tags costs a page of them.
/// </summary>
public sealed class ContainerBrowser(IDbContextFactory<RegistryDbContext> dbFactory)
{
    /// <summary>Rows the container page shows at a time.</summary>
    public const int RowsPerPage = 50;

    private readonly ContainerLookup lookup = new();

    /// <summary>
    /// A visible container and page <paramref name="page"/> (from 0; past the end, the last one) of its rows; not found
    /// for a container the actor may not see, as for one that does not exist.
    /// </summary>
    public async Task<Result<ContainerView>> OpenAsync(Actor actor, string entity, string collection, string name, int page = 0, CancellationToken ct = default)
    {
        var notFound = Result.NotFound($"container {entity}/{collection}/{name} not found");
        if (!Names.IsValid(entity) || !Names.IsValid(collection) || !Names.IsValid(name)) return notFound;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var container = await lookup.FindAsync(db, entity, collection, name, actor.UserId ?? "", ct, withImages: false);
        var access = container is null ? CollectionAccess.None : AccessRules.For(actor, container.Collection!);
        if (!access.CanView) return notFound;

        var id = container!.Id;
        var tags = db.Tags.AsNoTracking().Where(t => t.ContainerId == id);
        var untagged = db.Images.AsNoTracking().Where(i => i.ContainerId == id && i.Uploaded && !db.Tags.Any(t => t.ImageId == i.Id));
        var tagCount = await tags.CountAsync(ct);
        var total = tagCount + await untagged.CountAsync(ct);
        page = Math.Clamp(page, 0, Math.Max(0, (total - 1) / RowsPerPage));
        var skip = page * RowsPerPage;

        List<Tag> shown = skip >= tagCount ? [] : await tags.Include(t => t.Image)
            .OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id).Skip(skip).Take(RowsPerPage).ToListAsync(ct);
        var served = await ServedAsync(tags, shown, ct);
        var rows = shown.Select(t => new TagRow(t.Name, t.Arch, t.Frozen, t.UpdatedByName, t.UpdatedAt, t.Image!) { ServedByTag = served.Contains(t.Id) }).ToList();
        if (rows.Count < RowsPerPage && total > tagCount)
            rows.AddRange((await untagged.OrderByDescending(i => i.UploadedAt ?? i.CreatedAt).ThenByDescending(i => i.Id)
                    .Skip(Math.Max(0, skip - tagCount)).Take(RowsPerPage - rows.Count).ToListAsync(ct))
                .Select(i => new TagRow(null, i.Arch ?? "", false, i.CreatedByName, i.UploadedAt ?? i.CreatedAt, i)));

        var digests = await DigestsAsync(db, new OciRepository(entity, collection, container.Name), id, rows.Select(r => r.Image), ct);
        rows = rows.Select(r => r with { Manifest = digests.TryGetValue(r.Image.Id, out var d) ? d : null }).ToList();
        return new ContainerView(container, access, rows, total, page);
    }

    /// <summary>
    /// Ids of the shown tags that are their name's newest row, the one <c>/v2/</c> serves for the name (read from the rows
    /// of those names only: a tag on another architecture may be on another page).
    /// </summary>
    private static async Task<HashSet<long>> ServedAsync(IQueryable<Tag> tags, List<Tag> shown, CancellationToken ct)
    {
        var names = shown.Select(t => t.Name).Distinct().ToList();
        if (names.Count == 0) return [];
        var named = await tags.Where(t => names.Contains(t.Name)).Select(t => new { t.Id, t.Name, t.UpdatedAt }).ToListAsync(ct);
        return named.GroupBy(t => t.Name).Select(g => g.OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id).First().Id).ToHashSet();
    }

    /// <summary>
    /// The manifest digest <c>/v2/</c> serves for each uploaded image shown: the latest one pushed for it, else the one
    /// built from the image (as <see cref="OciManifests"/> picks). A built manifest is a few hundred bytes hashed: cheap
    /// for a page, so it is not stored.
    /// </summary>
    private static async Task<Dictionary<string, Digest>> DigestsAsync(RegistryDbContext db, OciRepository repo, string containerId,
        IEnumerable<Image> images, CancellationToken ct)
    {
        var digests = images.Where(i => i.Uploaded).DistinctBy(i => i.Id).ToDictionary(i => i.Id, i => OciManifests.Built(repo, i).Digest);
        if (digests.Count == 0) return digests;
        var ids = digests.Keys.ToList();
        var pushed = await db.OciManifests.AsNoTracking().Where(m => m.ContainerId == containerId && m.ImageId != null && ids.Contains(m.ImageId))
            .OrderBy(m => m.CreatedAt).Select(m => new { m.ImageId, m.Hash }).ToListAsync(ct);
        foreach (var m in pushed) digests[m.ImageId!] = new Digest(m.Hash); // ascending, so the latest pushed for an image wins
        return digests;
    }
}
