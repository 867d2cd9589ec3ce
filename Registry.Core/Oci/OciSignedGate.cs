using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
using Registry.Core.Signatures;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>
/// A collection that takes only signed images (or a new one, when <c>Registry:DefaultOnlySigned</c> makes new collections
/// so) refuses an unsigned SIF manifest on <c>/v2/</c> before anything is made of it: no collection, container, image row
/// or tag, and the SIF blob pushed for it is unlinked from the repository, so nothing of the refused push is visible (gc
/// frees its bytes). <see cref="Images.ImagePublisher"/> checks again as for every push.
/// </summary>
internal static class OciSignedGate
{
    public static async Task<Result.Failure?> RefusalAsync(RegistryDbContext db, OciTarget target, bool defaultOnlySigned, OciRepository repo,
        StoredBlob sif, Digest digest, CancellationToken ct)
    {
        if (!(target.Collection?.OnlySigned ?? defaultOnlySigned)) return null;
        var verdicts = await ImageSignatures.VerifyStagedAsync(db, sif, DateTime.UtcNow, ct);
        if (verdicts.Any(v => v.Status == SignatureStatus.Verified)) return null;
        var path = repo.ToString();
        await db.OciBlobLinks.Where(l => l.Repository == path && l.Hash == digest.Hex).ExecuteDeleteAsync(ct);
        return Result.Forbidden(ImageSignatures.OnlySignedRefusal);
    }
}
