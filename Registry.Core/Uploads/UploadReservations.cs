using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;

namespace Registry.Core.Uploads;

/// <summary>
/// Bytes that live uploads into an entity may still add to its usage. Counted against the quota when an upload starts,
/// so many uploads that each fit alone can't together fill the disk beyond it; the quota is checked again against the
/// real size when each is published.
/// </summary>
internal static class UploadReservations
{
    public static async Task<long> BytesAsync(RegistryDbContext db, string entityId, string? exceptImageId, DateTime now, CancellationToken ct)
    {
        // Another session for the same image doesn't count: only one of them can publish it.
        var api = await db.UploadSessions
            .Where(s => s.State != UploadState.Completed && s.State != UploadState.Aborted && s.ExpiresAt > now && s.ImageId != exceptImageId
                        && db.Images.Any(i => i.Id == s.ImageId && !i.Uploaded && i.Container!.Collection!.EntityId == entityId))
            .SumAsync(s => (long?)s.Size, ct) ?? 0;
        var browser = await db.BrowserUploads
            .Where(u => u.ExpiresAt > now && db.Collections.Any(c => c.Id == u.CollectionId && c.EntityId == entityId))
            .SumAsync(u => (long?)u.Size, ct) ?? 0;
        return api + browser;
    }
}
