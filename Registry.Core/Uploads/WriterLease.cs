using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;

namespace Registry.Core.Uploads;

/// <summary>
/// One writer per part (part 0: a single-part upload's whole file) at a time, held in the part's row. Taking it and
/// completing the upload are single conditional statements, so they are ordered: a part is written only while its
/// session is open, and a session is completed only while no part is being written. That is what keeps a second PUT on
/// an upload URL from writing into a file after it was verified and published.
/// </summary>
internal static class WriterLease
{
    /// <summary>
    /// The lease's id, or null when another request is writing this part or the session is no longer open. Taking it marks
    /// the part not received until this write succeeds: a write cut off (maybe over bytes received before) leaves no part
    /// that looks whole, whichever node took it.
    /// </summary>
    public static async Task<string?> TryTakeAsync(RegistryDbContext db, string sessionId, int partNumber, CancellationToken ct)
    {
        var lease = Ids.New();
        var taken = await db.UploadParts
            .Where(p => p.SessionId == sessionId && p.PartNumber == partNumber && p.Writer == null
                        && db.UploadSessions.Any(s => s.Id == sessionId && s.State == UploadState.Open))
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.Writer, lease).SetProperty(p => p.Received, false).SetProperty(p => p.ETag, ""), ct);
        return taken == 1 ? lease : null;
    }

    public static async Task ReleaseAsync(RegistryDbContext db, string sessionId, int partNumber, string lease)
    {
        await db.UploadParts.Where(p => p.SessionId == sessionId && p.PartNumber == partNumber && p.Writer == lease)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.Writer, (string?)null), CancellationToken.None);
    }

    /// <summary>
    /// Moves the session from <paramref name="from"/> to <paramref name="to"/> if it is there and no part is being
    /// written (but by the caller's own <paramref name="heldLease"/>).
    /// </summary>
    public static async Task<bool> TryMoveAsync(RegistryDbContext db, string sessionId, UploadState from, UploadState to, CancellationToken ct,
        string? heldLease = null) =>
        await db.UploadSessions
            .Where(s => s.Id == sessionId && s.State == from
                        && !db.UploadParts.Any(p => p.SessionId == sessionId && p.Writer != null && p.Writer != heldLease))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.State, to), ct) == 1;
}
