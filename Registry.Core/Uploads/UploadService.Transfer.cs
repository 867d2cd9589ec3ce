using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Images;
using Registry.Core.Storage;

namespace Registry.Core.Uploads;

public sealed partial class UploadService
{
    /// <summary>How long a completion waits for another completion of the same upload before answering 409.</summary>
    private static readonly TimeSpan CompletionWait = TimeSpan.FromMinutes(10);

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
                await FailAsync(db, session.Id, session.TempPath);
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
            await FailAsync(db, session.Id, session.TempPath);
            log.LogWarning("upload {Session} rejected: sha256 {Got} is not the image's {Want}", session.Id, digest, hash);
            return Result.Invalid($"checksum mismatch: received sha256.{digest}, the image is sha256.{hash}");
        }
        blobs.SyncTemp(session.TempPath); // "received" is a promise the bytes survive until completion
        if (!await WriterLease.TryMoveAsync(db, session.Id, UploadState.Open, UploadState.Received, ct, heldLease: lease))
            return Result.Conflict("upload is no longer open");
        log.LogInformation("upload received: session {Session} image {Image} {Bytes} bytes", session.Id, session.ImageId, session.Size);
        return $"\"{digest}\"";
    }

    /// <summary>
    /// Makes the uploaded image visible: verifies multipart uploads, then publishes. Idempotent: once the image is
    /// uploaded every call answers the same, and calls racing on one upload wait for the one that publishes it.
    /// </summary>
    public async Task<Result<UploadCompletion>> CompleteAsync(Actor actor, string imageId, string? sessionId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var imageResult = await FindPushableImageAsync(db, actor, imageId, ct);
        if (!imageResult.Succeeded) return imageResult.As<UploadCompletion>();
        var image = imageResult.Value!;
        if (!image.Uploaded)
        {
            var published = await CompleteSessionAsync(db, actor, image, sessionId, ct);
            if (!published.Succeeded) return published.As<UploadCompletion>();
        }
        var entity = image.Container!.Collection!.Entity!;
        var (usage, quota) = await Entities.EntityService.UsageAsync(db, entity, Options, ct);
        return new UploadCompletion(usage, quota, $"/{entity.Name}/{image.Container.Collection.Name}/{image.Container.Name}");
    }

    private async Task<Result<bool>> CompleteSessionAsync(RegistryDbContext db, Actor actor, Image image, string? sessionId, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var sessions = db.UploadSessions.AsNoTracking().Where(s => s.ImageId == image.Id && (s.UserId == actor.UserId || actor.IsAdmin));
            var session = sessionId is null
                ? await sessions.Where(s => s.State != UploadState.Completed && s.State != UploadState.Aborted)
                    .OrderByDescending(s => s.State).ThenByDescending(s => s.CreatedAt).FirstOrDefaultAsync(ct)
                : await sessions.FirstOrDefaultAsync(s => s.Id == sessionId, ct);
            // Asked after the session: a racing completion marks the image uploaded before its session completed, so a
            // session seen finished here always comes with the image seen uploaded.
            if (await db.Images.AnyAsync(i => i.Id == image.Id && i.Uploaded, ct)) return true;
            if (session is null) return Result.NotFound($"no upload in progress for image {image.Id}");
            switch (session.State)
            {
                case UploadState.Aborted: return Result.Conflict($"upload {session.Id} was aborted; push again");
                case UploadState.Completed: return Result.Conflict($"upload {session.Id} is completed but its image is not uploaded; push again");
                case UploadState.Open when session.Kind != UploadKind.Multipart:
                    return Result.Invalid($"upload {session.Id} has not received its bytes yet");
                case UploadState.Completing:
                    if (waited.Elapsed > CompletionWait) return Result.Conflict($"upload {session.Id} is being completed by another request");
                    await Task.Delay(100, ct);
                    continue;
            }
            if (await WriterLease.TryMoveAsync(db, session.Id, session.State, UploadState.Completing, ct))
                return await FinishClaimedAsync(db, actor, image, session, ct);
            if (await db.UploadParts.Where(p => p.SessionId == session.Id && p.Writer != null).Select(p => (int?)p.PartNumber).FirstOrDefaultAsync(ct) is { } writing)
                return Result.Conflict($"part {writing} of upload {session.Id} is still being sent; complete the upload once it has arrived");
        }
    }

    /// <summary>This request alone holds the session (state Completing); every way out leaves it in another state.</summary>
    private async Task<Result<bool>> FinishClaimedAsync(RegistryDbContext db, Actor actor, Image image, UploadSession session, CancellationToken ct)
    {
        var from = session.State;
        try
        {
            var staged = new StagedBytes(session.TempPath, session.Size, new Digest(image.Hash)); // a whole file was verified at PUT
            if (session.Kind == UploadKind.Multipart)
            {
                var verified = await VerifyPartsAsync(db, session, image, ct);
                if (!verified.Succeeded) return verified.As<bool>();
            }
            var sif = ImagePublisher.Inspect(session.TempPath);
            if (!sif.Succeeded)
            {
                await FailAsync(db, session.Id, session.TempPath);
                return sif.As<bool>();
            }
            var published = await publisher.PublishAsync(db, actor, image.Id, staged, sif.Value!, "", ct);
            if (!published.Succeeded)
            {
                await FailAsync(db, session.Id, session.TempPath);
                return published;
            }
            if (!published.Value) blobs.DeleteTemp(session.TempPath); // another upload of the same image published it
            await SetStateAsync(db, session.Id, UploadState.Completed);
            return true;
        }
        catch
        {
            // Cut off (client gone, disk error): the upload can be completed again.
            await SetStateAsync(db, session.Id, from, onlyIf: UploadState.Completing);
            throw;
        }
    }

    /// <summary>Every part arrived and the assembled file hashes to the image; else the upload stays open or is discarded.</summary>
    private async Task<Result<bool>> VerifyPartsAsync(RegistryDbContext db, UploadSession session, Image image, CancellationToken ct)
    {
        var received = await db.UploadParts.Where(p => p.SessionId == session.Id && p.Received).Select(p => p.PartNumber).ToListAsync(ct);
        var missing = Enumerable.Range(1, session.TotalParts).Except(received).ToList();
        if (missing.Count > 0)
        {
            await SetStateAsync(db, session.Id, UploadState.Open, onlyIf: UploadState.Completing);
            return Result.Invalid($"parts not received: {string.Join(",", missing.Take(10))}");
        }
        // The running hash covers the leading parts received in order; only the rest (usually nothing) is read again.
        var (hash, covered) = running.Take(session.Id);
        StagedBytes staged;
        using (hash)
            staged = await blobs.HashAsync(session.TempPath, Math.Min(session.Size, covered * session.PartSize), hash, ct);
        if (staged.Length == session.Size && staged.Digest.Hex == image.Hash) return true;
        await FailAsync(db, session.Id, session.TempPath);
        return Result.Invalid($"checksum mismatch: the assembled file is sha256.{staged.Digest.Hex} ({staged.Length} bytes), the image is sha256.{image.Hash}");
    }

    public async Task<Result<bool>> AbortAsync(Actor actor, string imageId, string sessionId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await FindOwnSessionAsync(db, actor, imageId, sessionId, ct);
        if (!found.Succeeded) return found.As<bool>();
        await FailAsync(db, found.Value!.Id, found.Value.TempPath);
        return true;
    }

    /// <summary>Legacy <c>POST /v1/imagefile/{id}</c>: the whole file in one request.</summary>
    public async Task<Result<UploadCompletion>> UploadWholeAsync(Actor actor, string imageId, Stream body, long? contentLength, CancellationToken ct = default)
    {
        if (contentLength is null or <= 0) return Result.Invalid("Content-Length is required");
        var ticket = await StartAsync(actor, imageId, UploadKind.Single, contentLength.Value, null, ct);
        if (ticket.Outcome == Outcome.Conflict) return await CompleteAsync(actor, imageId, null, ct);
        if (!ticket.Succeeded) return ticket.As<UploadCompletion>();
        var received = await ReceiveAsync(ticket.Value!.SessionId, 0, ticket.Value.Secret, body, contentLength, ct);
        if (!received.Succeeded) return received.As<UploadCompletion>();
        return await CompleteAsync(actor, imageId, ticket.Value.SessionId, ct);
    }

    /// <summary>Discards an upload: aborted for good, its bytes gone (first: on a full disk they make room for the row's write).</summary>
    private async Task FailAsync(RegistryDbContext db, string sessionId, string tempPath)
    {
        running.Forget(sessionId);
        blobs.DeleteTemp(tempPath);
        await SetStateAsync(db, sessionId, UploadState.Aborted);
    }

    private static Task SetStateAsync(RegistryDbContext db, string sessionId, UploadState to, UploadState? onlyIf = null) =>
        db.UploadSessions.Where(s => s.Id == sessionId && (onlyIf == null || s.State == onlyIf))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.State, to), CancellationToken.None);

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b));
}
