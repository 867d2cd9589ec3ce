using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
using Registry.Core.Signatures;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>
/// A collection that takes only signed images (or a new one, when <c>Registry:DefaultOnlySigned</c> makes new collections
/// so) refuses an unsigned SIF manifest on <c>/v2/</c> before anything is made of it: no collection, container, image row
/// or tag, and the SIF blob pushed for it is unlinked from the repository, so nothing of the refused push is visible (gc
/// frees its bytes). The verdicts it took go to <see cref="Images.ImagePublisher"/>, which then does not read the bytes again.
/// </summary>
internal static class OciSignedGate
{
    /// <summary>The refusal, or the verdicts on the SIF (null when its collection does not wait for them).</summary>
    public static async Task<Result<List<SignatureVerdict>?>> CheckAsync(RegistryDbContext db, OciTarget target, bool defaultOnlySigned,
        OciRepository repo, StoredBlob sif, Digest digest, SignatureChecks checks, CancellationToken ct)
    {
        if (!(target.Collection?.OnlySigned ?? defaultOnlySigned)) return Result.Ok<List<SignatureVerdict>?>(null);
        var verdicts = await ImageSignatures.VerifyStagedAsync(db, sif, DateTime.UtcNow, checks, ct);
        if (verdicts.Any(v => v.Status == SignatureStatus.Verified)) return verdicts;
        var path = repo.ToString();
        await db.OciBlobLinks.Where(l => l.Repository == path && l.Hash == digest.Hex).ExecuteDeleteAsync(ct);
        return Result.Forbidden(ImageSignatures.OnlySignedRefusal);
    }
}
