using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Images;

/// <summary>
/// One key/value of an image's SIF labels object (<c>%labels</c> of the definition file). Stored when the image is
/// published, so label search is a query and never reads SIF headers.
/// </summary>
public class ImageLabel
{
    public string ImageId { get; set; } = "";
    public Image? Image { get; set; }
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
}

/// <summary>Reading labels out of a stored SIF and keeping them with the image row.</summary>
public static class ImageLabels
{
    /// <summary>Labels kept per image; a labels object with more keys is cut (in key order) rather than fill the database.</summary>
    public const int MaxPerImage = 1000;

    public static void Configure(ModelBuilder b, bool sqlite) => b.Entity<ImageLabel>(e =>
    {
        e.HasKey(x => new { x.ImageId, x.Key });
        e.HasOne(x => x.Image).WithMany().HasForeignKey(x => x.ImageId).OnDelete(DeleteBehavior.Cascade);
        // The label search's exact key or value (sregistry's /api/labels/search). A value can be longer than a PostgreSQL
        // B-tree entry allows (~2.7 kB): there a hash index, which serves the same equality.
        e.HasIndex(x => x.Key);
        var byValue = e.HasIndex(x => x.Value);
        if (!sqlite) byValue.HasMethod("hash");
    });

    /// <summary>
    /// Adds the labels to the context (no save) and marks the image read. Labels it had are removed first: storing twice
    /// (a backfill run cut short and run again) leaves the same rows.
    /// </summary>
    public static async Task StoreAsync(RegistryDbContext db, Image image, IReadOnlyDictionary<string, string> labels, CancellationToken ct)
    {
        db.ImageLabels.RemoveRange(await db.ImageLabels.Where(l => l.ImageId == image.Id).ToListAsync(ct));
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal).Take(MaxPerImage))
            db.ImageLabels.Add(new ImageLabel { ImageId = image.Id, Key = key, Value = value });
        image.LabelsRead = true;
    }

    /// <summary>
    /// Labels for a new image row with the same bytes as <paramref name="source"/>: copied from it when it has them, else
    /// read from the blob. Null when the blob cannot be read now.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>?> OfCopyAsync(RegistryDbContext db, IBlobStore blobs, Image source, CancellationToken ct)
    {
        if (source.LabelsRead)
            return await db.ImageLabels.Where(l => l.ImageId == source.Id).ToDictionaryAsync(l => l.Key, l => l.Value, StringComparer.Ordinal, ct);
        return await ReadAsync(blobs, source.Hash);
    }

    /// <summary>The labels in a stored blob's SIF header (none if it is no SIF file); null when the blob is missing or unreadable.</summary>
    public static async Task<IReadOnlyDictionary<string, string>?> ReadAsync(IBlobStore blobs, string hash)
    {
        var digest = new Digest(hash);
        if (!blobs.Exists(digest)) return null;
        // Blobs can sit on slow disks: read the small descriptor table off the caller's thread.
        return await Task.Run(() =>
        {
            try
            {
                using var stream = blobs.OpenRead(digest);
                return SifReader.Read(stream)?.Labels ?? new Dictionary<string, string>();
            }
            catch (IOException) { return null; } // removed by a concurrent delete
        });
    }
}
