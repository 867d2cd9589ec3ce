using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;

namespace Registry.Core.Storage;

/// <summary>Frees bytes no image references any more; never a blob that another image still uses.</summary>
public static class BlobHousekeeping
{
    public static async Task<long> DeleteIfUnusedAsync(RegistryDbContext db, IBlobStore blobs, string hash, CancellationToken ct)
    {
        if (await db.Images.AnyAsync(i => i.Hash == hash, ct)) return 0;
        // Linked into a /v2/ repository (mounted there, or pushed as a layer): its manifests need the bytes; gc decides later.
        if (await db.OciBlobLinks.AnyAsync(l => l.Hash == hash, ct)) return 0;
        var blob = await db.Blobs.FirstOrDefaultAsync(b => b.Hash == hash, ct);
        if (blob is null) return 0;
        db.Blobs.Remove(blob);
        await db.SaveChangesAsync(ct);
        blobs.Delete(new Digest(hash));
        return blob.Size;
    }
}
