using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>
/// Manifests that are not SIF images: container images (Docker v2 schema 2, OCI), indexes and other artifacts. They are
/// stored as pushed, need their blobs (image manifest) or child manifests (index) in the repository first, and are
/// tagged through <see cref="OciTag"/>; they never become Library images.
/// </summary>
internal static class OciArtifacts
{
    /// <summary>Why the manifest cannot be stored yet: a blob or child manifest it names is not in the repository.</summary>
    public static async Task<Result.Failure?> MissingAsync(RegistryDbContext db, OciBlobs blobs, OciRepository repo, string? containerId,
        OciDocument doc, CancellationToken ct)
    {
        foreach (var blob in doc.Blobs)
        {
            if (blob.Digest == SifManifest.EmptyConfigDigest && blob.Size == SifManifest.EmptyConfig.Length) continue;
            if (await blobs.LengthInAsync(db, repo, containerId, blob.Digest, ct) is not { } length)
                return Result.NotFound($"blob {blob.Digest.Oci()} ({Clip(blob.MediaType)}) has not been pushed to {repo}");
            if (length != blob.Size) return Result.Invalid($"the manifest says {blob.Size} bytes but blob {blob.Digest.Oci()} has {length}");
        }
        foreach (var child in doc.Manifests)
            if (await OciManifests.FindAsync(db, containerId, repo, child.Digest.Oci(), ct) is null)
                return Result.NotFound($"blob {child.Digest.Oci()}: the index names a manifest that has not been pushed to {repo}");
        return null;
    }

    /// <summary>Stores the manifest; true when this call stored it (false: it was there already).</summary>
    public static async Task<bool> KeepAsync(IDbContextFactory<RegistryDbContext> dbFactory, string containerId, Digest digest, OciDocument doc, byte[] body, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.OciManifests.AnyAsync(m => m.ContainerId == containerId && m.Hash == digest.Hex, ct)) return false;
        var manifest = new OciManifest
        {
            ContainerId = containerId, Hash = digest.Hex, MediaType = doc.MediaType, Content = body, SubjectHash = doc.Subject?.Hex,
        };
        db.OciManifests.Add(manifest);
        db.OciManifestRefs.AddRange(OciManifestRef.Of(manifest, doc));
        try { await db.SaveChangesAsync(ct); return true; }
        catch (DbUpdateException) { return false; } // the same manifest kept by a concurrent push
    }

    /// <summary>Drops a manifest this PUT stored but found incomplete when it looked again (<see cref="OciBlobUse"/>), unless a tag names it.</summary>
    public static async Task ForgetAsync(IDbContextFactory<RegistryDbContext> dbFactory, string containerId, Digest digest, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.OciManifests.Where(m => m.ContainerId == containerId && m.Hash == digest.Hex && m.ImageId == null
            && !db.OciTags.Any(t => t.ContainerId == containerId && t.Hash == digest.Hex)).ExecuteDeleteAsync(ct);
    }

    /// <summary>Points tag <paramref name="name"/> at <paramref name="digest"/> (one row per tag name and container).</summary>
    public static async Task TagAsync(IDbContextFactory<RegistryDbContext> dbFactory, string containerId, string name, Digest digest, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var tag = await db.OciTags.FirstOrDefaultAsync(t => t.ContainerId == containerId && t.Name == name, ct);
            if (tag is null) db.OciTags.Add(new OciTag { ContainerId = containerId, Name = name, Hash = digest.Hex });
            else (tag.Hash, tag.UpdatedAt) = (digest.Hex, DateTime.UtcNow);
            try { await db.SaveChangesAsync(ct); return; }
            catch (DbUpdateException) when (attempt == 0) { } // a concurrent push made the row: update it instead
        }
    }

    public static async Task UntagAsync(IDbContextFactory<RegistryDbContext> dbFactory, string containerId, string name, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.OciTags.Where(t => t.ContainerId == containerId && t.Name == name).ExecuteDeleteAsync(ct);
    }

    /// <summary>Deletes a stored manifest and its tags; its blobs stay linked until gc finds no manifest using them.</summary>
    public static async Task<Result<bool>> DeleteAsync(RegistryDbContext db, string containerId, Digest digest, CancellationToken ct)
    {
        await db.OciTags.Where(t => t.ContainerId == containerId && t.Hash == digest.Hex).ExecuteDeleteAsync(ct);
        var removed = await db.OciManifests.Where(m => m.ContainerId == containerId && m.Hash == digest.Hex && m.ImageId == null).ExecuteDeleteAsync(ct);
        return removed > 0 ? true : Result.NotFound($"manifest {digest.Oci()} not found");
    }

    private static string Clip(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
