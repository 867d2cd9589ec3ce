using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>
/// Whether a repository's images or stored manifests use a blob: what keeps a blob <c>DELETE</c> from leaving a manifest
/// that points at nothing. A manifest <c>PUT</c> and a blob <c>DELETE</c> that race each write first and then look for the
/// other's write (the PUT stores its manifest, then checks its blobs again; the DELETE unlinks, then looks for manifests
/// using the blob), so at least one sees the other: the PUT fails with MANIFEST_BLOB_UNKNOWN, or the blob stays.
/// </summary>
internal static class OciBlobUse
{
    /// <summary>Why <paramref name="digest"/> may not be unlinked from <paramref name="repo"/>, or null when nothing there uses it.</summary>
    public static async Task<string?> RefusalAsync(RegistryDbContext db, OciRepository repo, Digest digest, CancellationToken ct)
    {
        var containers = db.Containers.Where(c => c.Name == repo.Container && c.Collection!.Name == repo.Collection && c.Collection.Entity!.Name == repo.Entity)
            .Select(c => c.Id);
        if (await db.Images.AnyAsync(i => containers.Contains(i.ContainerId) && i.Hash == digest.Hex, ct))
            return $"{digest.Oci()} is the SIF of an image in {repo}: delete its manifest instead";
        var manifests = db.OciManifests.AsNoTracking().Where(m => containers.Contains(m.ContainerId) && m.ImageId == null)
            .Select(m => new { m.Hash, m.MediaType, m.Content }).AsAsyncEnumerable();
        await foreach (var m in manifests.WithCancellation(ct))
            if (OciDocument.Parse(m.Content, m.MediaType) is { Succeeded: true } doc && doc.Value!.Blobs.Any(b => b.Digest == digest))
                return $"{digest.Oci()} is used by manifest sha256:{m.Hash} in {repo}: delete that manifest first";
        return null;
    }
}
