using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Images;
using Registry.Core.Storage;
using Registry.Core.Tags;

namespace Registry.Core.Oci;

/// <summary>A manifest as served: its bytes, media type and digest.</summary>
public sealed record OciManifestBody(byte[] Content, string MediaType, Digest Digest);

/// <summary>
/// A manifest found in a container, with the image it describes when it is a SIF manifest; <see cref="BuiltIndex"/> when
/// it is the index built for a tag on several architectures (nothing stored to delete).
/// </summary>
public sealed record OciFound(OciManifestBody Body, Image? Image)
{
    public bool BuiltIndex { get; init; }
}

/// <summary>One page of <c>tags/list</c>; <paramref name="More"/> when a next page exists.</summary>
public sealed record OciTagPage(string Name, List<string> Tags, bool More);

/// <summary>
/// The read side of manifests: a tag is the Library tag of that name, its manifest the one pushed through <c>/v2/</c>
/// for that image, else one built from the image (stable digest); on several architectures an index of those.
/// See: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-manifests
/// </summary>
public sealed class OciManifests(IDbContextFactory<RegistryDbContext> dbFactory)
{
    public async Task<Result<OciManifestBody>> GetAsync(Actor actor, OciRepository repo, string reference, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.ReadableAsync(db, repo, actor, ct);
        if (!target.Succeeded) return target.As<OciManifestBody>();
        var found = await FindAsync(db, target.Value!.Container?.Id, repo, reference, ct);
        return found is null ? Result.NotFound($"manifest {reference} not found in {repo}") : found.Body;
    }

    public async Task<Result<OciTagPage>> TagsAsync(Actor actor, OciRepository repo, int? n, string? last, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.ReadableAsync(db, repo, actor, ct);
        if (!target.Succeeded) return target.As<OciTagPage>();
        var containerId = target.Value!.Container?.Id;
        if (containerId is null) return Result.NotFound($"repository {repo} not found");
        var names = await db.Tags.Where(t => t.ContainerId == containerId && t.Image!.Uploaded).Select(t => t.Name)
            .Union(db.OciTags.Where(t => t.ContainerId == containerId).Select(t => t.Name)).Distinct().ToListAsync(ct);
        // Ordinal order, as the spec's lexical paging needs; SQLite's collation would do, but the list is small.
        var after = names.Where(t => last is null || string.CompareOrdinal(t, last) > 0).OrderBy(t => t, StringComparer.Ordinal).ToList();
        var size = Math.Min(n ?? OciLimits.MaxPage, OciLimits.MaxPage);
        return new OciTagPage(repo.ToString(), after.Take(size).ToList(), after.Count > size);
    }

    /// <summary>
    /// The manifest <paramref name="reference"/> names in a container, with the image it describes (none for a manifest
    /// that is not a SIF, or for an index). A tag is the newer of its Library tag and its OCI tag; a Library tag on
    /// several architectures is an index of their manifests (<see cref="SifIndex"/>).
    /// </summary>
    internal static async Task<OciFound?> FindAsync(RegistryDbContext db, string? containerId, OciRepository repo, string reference, CancellationToken ct)
    {
        if (containerId is null) return null;
        if (OciRefs.TryParseDigest(reference, out var digest)) return await ByDigestAsync(db, containerId, repo, digest, ct);
        var tags = await TaggedAsync(db, containerId, reference, ct);
        var ociTag = await db.OciTags.AsNoTracking().FirstOrDefaultAsync(t => t.ContainerId == containerId && t.Name == reference, ct);
        if (ociTag is not null && (tags.Count == 0 || ociTag.UpdatedAt >= tags[0].UpdatedAt))
        {
            var tagged = await db.OciManifests.AsNoTracking().FirstOrDefaultAsync(m => m.ContainerId == containerId && m.Hash == ociTag.Hash, ct);
            if (tagged is not null) return new OciFound(new OciManifestBody(tagged.Content, tagged.MediaType, new Digest(tagged.Hash)), null);
        }
        if (tags.Count == 0) return null;
        if (tags.Count == 1) return await OfImageAsync(db, repo, tags[0].Image!, ct);
        return new OciFound(await IndexAsync(db, repo, tags, ct), null) { BuiltIndex = true };
    }

    private static async Task<OciFound?> ByDigestAsync(RegistryDbContext db, string containerId, OciRepository repo, Digest digest, CancellationToken ct)
    {
        var stored = await db.OciManifests.AsNoTracking().Include(m => m.Image)
            .FirstOrDefaultAsync(m => m.ContainerId == containerId && m.Hash == digest.Hex, ct);
        if (stored is { ImageId: null }) return new OciFound(new OciManifestBody(stored.Content, stored.MediaType, digest), null);
        if (stored is { Image.Uploaded: true }) return new OciFound(new OciManifestBody(stored.Content, stored.MediaType, digest), stored.Image);
        // Built manifests and indexes are functions of the images: a container has few, so each is built and compared.
        var images = await db.Images.AsNoTracking().Where(i => i.ContainerId == containerId && i.Uploaded).ToListAsync(ct);
        foreach (var image in images)
            if (Built(repo, image) is var body && body.Digest == digest) return new OciFound(body, image);
        var multiArch = await db.Tags.Where(t => t.ContainerId == containerId && t.Image!.Uploaded)
            .GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToListAsync(ct);
        foreach (var name in multiArch)
            if (await IndexAsync(db, repo, await TaggedAsync(db, containerId, name, ct), ct) is var index && index.Digest == digest)
                return new OciFound(index, null) { BuiltIndex = true };
        return null;
    }

    /// <summary>The Library tag <paramref name="name"/> on each architecture, most recently set first.</summary>
    private static Task<List<Tag>> TaggedAsync(RegistryDbContext db, string containerId, string name, CancellationToken ct) =>
        db.Tags.AsNoTracking().Include(t => t.Image).Where(t => t.ContainerId == containerId && t.Name == name && t.Image!.Uploaded)
            .OrderByDescending(t => t.UpdatedAt).ToListAsync(ct);

    private static async Task<OciManifestBody> IndexAsync(RegistryDbContext db, OciRepository repo, List<Tag> tags, CancellationToken ct)
    {
        var children = new List<(string, OciManifestBody)>();
        foreach (var tag in tags) children.Add((tag.Arch, (await OfImageAsync(db, repo, tag.Image!, ct)).Body));
        return SifIndex.Build(children);
    }

    /// <summary>An image's manifest: the latest one pushed for it through <c>/v2/</c>, else the built one.</summary>
    private static async Task<OciFound> OfImageAsync(RegistryDbContext db, OciRepository repo, Image image, CancellationToken ct)
    {
        var pushed = await db.OciManifests.AsNoTracking().Where(m => m.ContainerId == image.ContainerId && m.ImageId == image.Id)
            .OrderByDescending(m => m.CreatedAt).FirstOrDefaultAsync(ct);
        return pushed is null ? new OciFound(Built(repo, image), image)
            : new OciFound(new OciManifestBody(pushed.Content, pushed.MediaType, new Digest(pushed.Hash)), image);
    }

    /// <summary>The manifest built for an image that arrived without one (what the container page also shows).</summary>
    internal static OciManifestBody Built(OciRepository repo, Image image)
    {
        var content = SifManifest.Build(repo.Container, new Digest(image.Hash), image.Size);
        return new OciManifestBody(content, SifManifest.ManifestType, SifManifest.DigestOf(content));
    }
}
