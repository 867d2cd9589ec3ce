using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Uploads;

/// <summary>
/// The bytes of an upload, one part per request: one writer per part at a time (<see cref="WriterLease"/>), written to
/// the session's temp file while hashed. Nothing here makes a blob or an image; <see cref="UploadCompleter"/> does.
/// </summary>
public sealed class UploadReceiver(
    IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, RunningHashes running, SessionOutcomes outcomes,
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
        // Parts in order also advance the upload's whole-file hash, so completion needn't read the file again. Such a part
        // is hashed on its own only when the client announced its checksum: the whole-file check at completion covers it.
        var fed = whole ? null : running.Begin(session.Id, part.PartNumber);
        using var own = whole || fed is null || part.Sha256.Length > 0 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        var stored = false;
        try
        {
            long length;
            try
            {
                length = await blobs.WriteAsync(body, session.TempPath, offset, part.Size, own, fed, ct);
            }
            catch (BlobTooLargeException)
            {
                return Result.Invalid($"more than the announced {part.Size} bytes were sent");
            }
            catch (SourceReadException e)
            {
                // The bytes so far stay in the temp file; the same URL can be PUT again.
                log.LogInformation("upload {Session} part {Part} cut off: {Reason}", session.Id, part.PartNumber, e.InnerException?.Message);
                return Result.Invalid($"the request body could not be read ({e.InnerException?.Message}); send it again");
            }
            catch (IOException e) when (StorageFull.Is(e))
            {
                await outcomes.FailAsync(db, session.Id, session.TempPath);
                return Result.InsufficientStorage("the registry's disk is full; the upload was discarded");
            }
            if (length != part.Size) return Result.Invalid($"received {length} bytes, expected {part.Size}");
            // The part's own SHA-256, or for a part that only advanced the running hash, the SHA-256 of the upload so far.
            var digest = Convert.ToHexStringLower(own?.GetHashAndReset() ?? fed!.GetCurrentHash());
            if (whole) return await VerifyWholeAsync(db, session, lease, digest, ct);

            if (part.Sha256.Length > 0 && part.Sha256 != digest)
                return Result.Invalid($"part {part.PartNumber} checksum mismatch: sha256 {digest}, expected {part.Sha256}");
            part.Received = true;
            part.ETag = $"\"{digest}\"";
            await db.SaveChangesAsync(ct);
            stored = true;
            return part.ETag;
        }
        finally
        {
            running.End(session.Id, fed, stored);
        }
    }

    /// <summary>A whole file that hashes to its image is received: it waits in its temp file for completion to publish it.</summary>
    private async Task<Result<string>> VerifyWholeAsync(RegistryDbContext db, UploadSession session, string lease, string digest, CancellationToken ct)
    {
        var hash = await db.Images.Where(i => i.Id == session.ImageId).Select(i => i.Hash).FirstAsync(ct);
        if (digest != hash)
        {
            await outcomes.FailAsync(db, session.Id, session.TempPath);
            log.LogWarning("upload {Session} rejected: sha256 {Got} is not the image's {Want}", session.Id, digest, hash);
            return Result.Invalid($"checksum mismatch: received sha256.{digest}, the image is sha256.{hash}");
        }
        blobs.SyncTemp(session.TempPath); // "received" is a promise the bytes survive until completion
        if (!await WriterLease.TryMoveAsync(db, session.Id, UploadState.Open, UploadState.Received, ct, heldLease: lease))
            return Result.Conflict("upload is no longer open");
        log.LogInformation("upload received: session {Session} image {Image} {Bytes} bytes", session.Id, session.ImageId, session.Size);
        return $"\"{digest}\"";
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b));
}
