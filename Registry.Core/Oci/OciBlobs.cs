using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>A blob a repository serves: its digest and length, and where its bytes come from.</summary>
public sealed record OciBlob(Digest Digest, long Length, bool IsEmptyConfig);

/// <summary>
/// Blobs as a repository sees them: the SIF of each of its images, blobs pushed into it through <c>/v2/</c>, and the
/// empty SIF config (served from memory). A blob stored for another repository is not found here: a digest is no secret.
/// </summary>
public sealed class OciBlobs(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs)
{
    public async Task<Result<OciBlob>> FindAsync(Actor actor, OciRepository repo, Digest digest, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.ReadableAsync(db, repo, actor, ct);
        // A pusher sees the blobs of a push in progress, before the manifest creates the collection or container.
        if (!target.Succeeded && actor.IsAuthenticated && await OciAccess.PushableAsync(db, repo, actor, ct) is { Succeeded: true } pushable) target = pushable;
        if (!target.Succeeded) return target.As<OciBlob>();
        if (digest == SifManifest.EmptyConfigDigest) return new OciBlob(digest, SifManifest.EmptyConfig.Length, true);
        var length = await LengthInAsync(db, repo, target.Value!.Container?.Id, digest, ct);
        return length is { } l ? new OciBlob(digest, l, false) : Result.NotFound($"blob {digest.Oci()} not found in {repo}");
    }

    /// <summary>The length of <paramref name="digest"/> if the repository holds it and the store has its bytes.</summary>
    internal async Task<long?> LengthInAsync(RegistryDbContext db, OciRepository repo, string? containerId, Digest digest, CancellationToken ct)
    {
        var path = repo.ToString();
        var known = (containerId is not null && await db.Images.AnyAsync(i => i.ContainerId == containerId && i.Hash == digest.Hex && i.Uploaded, ct))
            || await db.OciBlobLinks.AnyAsync(l => l.Repository == path && l.Hash == digest.Hex, ct);
        if (!known || !blobs.Exists(digest)) return null;
        try { return new FileInfo(blobs.PathOf(digest)).Length; }
        catch (IOException) { return null; } // removed by gc between the check and now
    }

    public Stream OpenRead(OciBlob blob) => blob.IsEmptyConfig ? new MemoryStream(SifManifest.EmptyConfig, false) : blobs.OpenRead(blob.Digest);

    public string? PathOf(OciBlob blob) => blob.IsEmptyConfig ? null : blobs.PathOf(blob.Digest);

    /// <summary>
    /// <c>DELETE</c> of a blob: unlinks one pushed into the repository (gc frees its bytes when nothing uses them). The SIF
    /// of an image, or a blob a stored manifest names, is deleted with its manifest, not underneath it (<see cref="OciBlobUse"/>).
    /// </summary>
    public async Task<Result<bool>> DeleteAsync(Actor actor, OciRepository repo, Digest digest, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.PushableAsync(db, repo, actor, ct);
        if (!target.Succeeded) return target.As<bool>();
        if (await OciBlobUse.RefusalAsync(db, repo, digest, ct) is { } used) return Result.Forbidden(used);
        var path = repo.ToString();
        var size = await db.OciBlobLinks.Where(l => l.Repository == path && l.Hash == digest.Hex).Select(l => l.Size).FirstOrDefaultAsync(ct);
        var removed = await db.OciBlobLinks.Where(l => l.Repository == path && l.Hash == digest.Hex).ExecuteDeleteAsync(ct);
        if (removed == 0) return Result.NotFound($"blob {digest.Oci()} not found in {repo}");
        // A manifest PUT that checked this blob before the unlink and stored its manifest since: the blob stays.
        if (await OciBlobUse.RefusalAsync(db, repo, digest, ct) is { } late)
        {
            await OciUploads.LinkAsync(db, repo, digest, size ?? new FileInfo(blobs.PathOf(digest)).Length, ct);
            return Result.Forbidden(late);
        }
        return true;
    }
}
