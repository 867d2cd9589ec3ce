using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Uploads;

/// <summary>How an upload session ends or moves on, shared by the services that start, receive and complete uploads.</summary>
public sealed class SessionOutcomes(IBlobStore blobs)
{
    /// <summary>Discards an upload: aborted for good, its bytes gone (first: on a full disk they make room for the row's write).</summary>
    public async Task FailAsync(RegistryDbContext db, string sessionId, string stagingId)
    {
        blobs.ResumeUpload(stagingId).Discard();
        await SetStateAsync(db, sessionId, UploadState.Aborted);
    }

    public static Task SetStateAsync(RegistryDbContext db, string sessionId, UploadState to, UploadState? onlyIf = null) =>
        db.UploadSessions.Where(s => s.Id == sessionId && (onlyIf == null || s.State == onlyIf))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.State, to), CancellationToken.None);
}
