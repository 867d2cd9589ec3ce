using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Uploads;

/// <summary>
/// The bytes of an upload, one part per request: one writer per part at a time (<see cref="WriterLease"/>), written to
/// the session's staged upload while hashed. Nothing here makes a blob or an image; <see cref="UploadCompleter"/> does.
/// </summary>
public sealed class UploadReceiver(
    IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, SessionOutcomes outcomes, PartsWrittenHere partsHere,
    TimeProvider clock, ILogger<UploadReceiver> log)
{
    /// <summary>
    /// Receives the bytes of a whole file (<paramref name="partNumber"/> 0) or one part, authorised by the URL secret alone
    /// (the client sends no token on presigned PUTs). Returns the part's ETag. A second request on the same URL while
    /// one is writing, or once the upload is no longer open, gets 409 and writes nothing.
    /// </summary>
    public async Task<Result<string>> ReceiveAsync(string sessionId, int partNumber, string secret, Stream body, long? contentLength, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var session = await db.UploadSessions.FirstOrDefaultAsync(s => s.Id == sessionId, ct);
        // One answer for every wrong capability, so ids can't be probed.
        if (session is null || session.ExpiresAt < clock.GetUtcNow().UtcDateTime) return Result.NotFound("upload URL is unknown or expired");
        var part = await db.UploadParts.FirstOrDefaultAsync(p => p.SessionId == sessionId && p.PartNumber == partNumber, ct);
        if (part is null || !FixedTimeEquals(part.SecretHash, Ids.Sha256Hex(secret))) return Result.NotFound("upload URL is unknown or expired");
        if (session.State != UploadState.Open) return Result.Conflict($"upload is {session.State.ToString().ToLowerInvariant()}");
        if (contentLength is { } announced && announced != part.Size)
            return Result.Invalid($"expected {part.Size} bytes, Content-Length says {announced}");

        var lease = await WriterLease.TryTakeAsync(db, sessionId, partNumber, ct);
        if (lease is null)
            return Result.Conflict(partNumber == 0 ? "this upload is being sent by another request, or is no longer open" : $"part {partNumber} is being sent by another request, or the upload is no longer open");
        try
        {
            return await WriteAsync(db, session, part, lease, body, ct);
        }
        finally
        {
            await WriterLease.ReleaseAsync(db, sessionId, partNumber, lease);
        }
    }

    private async Task<Result<string>> WriteAsync(RegistryDbContext db, UploadSession session, UploadPart part, string lease, Stream body, CancellationToken ct)
    {
        var whole = part.PartNumber == 0;
        var offset = whole ? 0 : (part.PartNumber - 1) * session.PartSize;
        var staged = blobs.ResumeUpload(session.StagingId);
        BlobWrite written;
        try
        {
            // Parts in order only advance the upload's running hash, so completion needn't read the file again; a part is
            // hashed on its own when the client announced its checksum (or when it arrives out of order).
            written = await staged.WriteAsync(body, offset, part.Size, hashOwn: !whole && part.Sha256.Length > 0, ct);
        }
        catch (BlobTooLargeException)
        {
            return Result.Invalid($"more than the announced {part.Size} bytes were sent");
        }
        catch (SourceReadException e)
        {
            // The bytes so far stay staged; the same URL can be PUT again.
            log.LogInformation("upload {Session} part {Part} cut off: {Reason}", session.Id, part.PartNumber, e.InnerException?.Message);
            return Result.Invalid($"the request body could not be read ({e.InnerException?.Message}); send it again");
        }
        catch (IOException e) when (StorageFull.Is(e))
        {
            await outcomes.FailAsync(db, session.Id, session.StagingId);
            return Result.InsufficientStorage("the registry's disk is full; the upload was discarded");
        }
        if (written.Length != part.Size) return Result.Invalid($"received {written.Length} bytes, expected {part.Size}");
        // The part's own SHA-256, or for a part that only advanced the running hash, the SHA-256 of the upload so far.
        var digest = (written.Own ?? written.UpTo)!.Value.Hex;
        if (whole) return await VerifyWholeAsync(db, session, staged, lease, (written.UpTo ?? written.Own)!.Value.Hex, ct);

        if (part.Sha256.Length > 0 && part.Sha256 != digest)
            return Result.Invalid($"part {part.PartNumber} checksum mismatch: sha256 {digest}, expected {part.Sha256}");
        part.Received = true;
        part.ETag = $"\"{digest}\"";
        await db.SaveChangesAsync(ct);
        partsHere.Wrote(session.Id, part.PartNumber, part.ETag);
        return part.ETag;
    }

    /// <summary>A whole file that hashes to its image is received: it stays staged for completion to publish it.</summary>
    private async Task<Result<string>> VerifyWholeAsync(RegistryDbContext db, UploadSession session, BlobUpload staged, string lease, string digest, CancellationToken ct)
    {
        var hash = await db.Images.Where(i => i.Id == session.ImageId).Select(i => i.Hash).FirstAsync(ct);
        if (digest != hash)
        {
            await outcomes.FailAsync(db, session.Id, session.StagingId);
            log.LogWarning("upload {Session} rejected: sha256 {Got} is not the image's {Want}", session.Id, digest, hash);
            return Result.Invalid($"checksum mismatch: received sha256.{digest}, the image is sha256.{hash}");
        }
        staged.Flush(); // "received" is a promise the bytes survive until completion
        if (!await WriterLease.TryMoveAsync(db, session.Id, UploadState.Open, UploadState.Received, ct, heldLease: lease))
            return Result.Conflict("upload is no longer open");
        log.LogInformation("upload received: session {Session} image {Image} {Bytes} bytes", session.Id, session.ImageId, session.Size);
        return $"\"{digest}\"";
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b));
}
