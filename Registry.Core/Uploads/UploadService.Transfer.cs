using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Images;
using Registry.Core.Storage;

namespace Registry.Core.Uploads;

public sealed partial class UploadService
{
    /// <summary>
    /// Receives the bytes of a whole file (<paramref name="partNumber"/> 0) or one part, authorised by the URL secret alone
    /// (the client sends no token on presigned PUTs). Returns the part's ETag.
    /// </summary>
    public async Task<Result<string>> ReceiveAsync(string sessionId, int partNumber, string secret, Stream body, long? contentLength, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var session = await db.UploadSessions.FirstOrDefaultAsync(s => s.Id == sessionId, ct);
        // One answer for every wrong capability, so ids can't be probed.
        if (session is null || session.ExpiresAt < clock.GetUtcNow().UtcDateTime) return Result.NotFound("upload URL is unknown or expired");
        var part = partNumber == 0 ? null : await db.UploadParts.FirstOrDefaultAsync(p => p.SessionId == sessionId && p.PartNumber == partNumber, ct);
        var secretHash = partNumber == 0 ? session.SecretHash : part?.SecretHash;
        if (secretHash is null || !FixedTimeEquals(secretHash, Ids.Sha256Hex(secret))) return Result.NotFound("upload URL is unknown or expired");
        if (session.State != UploadState.Open) return Result.Conflict($"upload is {session.State.ToString().ToLowerInvariant()}");

        var expectedSize = part?.Size ?? session.Size;
        if (contentLength is { } announced && announced != expectedSize)
            return Result.Invalid($"expected {expectedSize} bytes, Content-Length says {announced}");
        var offset = part is null ? 0 : (part.PartNumber - 1) * session.PartSize;

        // Parts in order also advance the upload's whole-file hash, so completion needn't read the file again. Such a part
        // is hashed on its own only when the client announced its checksum: the whole-file check at completion covers it.
        var fed = part is null ? null : running.Begin(sessionId, part.PartNumber);
        using var own = part is null || fed is null || part.Sha256.Length > 0 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        var stored = false;
        try
        {
            long length;
            try
            {
                length = await blobs.WriteAsync(body, session.TempPath, offset, expectedSize, own, fed, ct);
            }
            catch (BlobTooLargeException)
            {
                return Result.Invalid($"more than the announced {expectedSize} bytes were sent");
            }
            catch (SourceReadException e)
            {
                // The bytes so far stay in the temp file; the same URL can be PUT again.
                log.LogInformation("upload {Session} part {Part} cut off: {Reason}", sessionId, partNumber, e.InnerException?.Message);
                return Result.Invalid($"the request body could not be read ({e.InnerException?.Message}); send it again");
            }
            catch (IOException e) when (DiskFull(e))
            {
                await FailAsync(db, session, ct);
                return Result.InsufficientStorage("the registry's disk is full; the upload was discarded");
            }
            if (length != expectedSize)
                return Result.Invalid($"received {length} bytes, expected {expectedSize}");
            // The part's own SHA-256, or for a part that only advanced the running hash, the SHA-256 of the upload so far.
            var digest = Convert.ToHexStringLower(own?.GetHashAndReset() ?? fed!.GetCurrentHash());
            if (part is null) return await StoreWholeAsync(db, session, new StagedBytes(session.TempPath, length, new Digest(digest)), ct);

            if (part.Sha256.Length > 0 && part.Sha256 != digest)
                return Result.Invalid($"part {partNumber} checksum mismatch: sha256 {digest}, expected {part.Sha256}");
            part.Received = true;
            part.ETag = $"\"{digest}\"";
            await db.SaveChangesAsync(ct);
            stored = true;
            return part.ETag;
        }
        finally
        {
            running.End(sessionId, fed, stored);
        }
    }

    private async Task<Result<string>> StoreWholeAsync(RegistryDbContext db, UploadSession session, StagedBytes staged, CancellationToken ct)
    {
        var image = await db.Images.FirstAsync(i => i.Id == session.ImageId, ct);
        if (staged.Digest.Hex != image.Hash)
        {
            await FailAsync(db, session, ct);
            log.LogWarning("upload {Session} rejected: sha256 {Got} is not the image's {Want}", session.Id, staged.Digest.Hex, image.Hash);
            return Result.Invalid($"checksum mismatch: received sha256.{staged.Digest.Hex}, the image is sha256.{image.Hash}");
        }
        await StoreBlobAsync(db, session, staged, ct);
        log.LogInformation("upload received: session {Session} image {Image} {Bytes} bytes", session.Id, image.Id, staged.Length);
        return $"\"{staged.Digest.Hex}\"";
    }

    /// <summary>Makes the uploaded image visible: assembles and verifies multipart uploads, reads the arch from the SIF header.</summary>
    public async Task<Result<UploadCompletion>> CompleteAsync(Actor actor, string imageId, string? sessionId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var imageResult = await FindPushableImageAsync(db, actor, imageId, ct);
        if (!imageResult.Succeeded) return imageResult.As<UploadCompletion>();
        var image = imageResult.Value!;

        var sessions = db.UploadSessions.Include(s => s.Parts).Where(s => s.ImageId == imageId && (s.UserId == actor.UserId || actor.IsAdmin));
        var session = sessionId is null
            ? await sessions.Where(s => s.State == UploadState.Received || s.State == UploadState.Open).OrderByDescending(s => s.State).ThenByDescending(s => s.CreatedAt).FirstOrDefaultAsync(ct)
            : await sessions.FirstOrDefaultAsync(s => s.Id == sessionId, ct);
        if (!image.Uploaded)
        {
            if (session is null) return Result.NotFound($"no upload in progress for image {imageId}");
            if (session.Kind == UploadKind.Multipart && session.State == UploadState.Open)
            {
                var assembled = await AssembleAsync(db, session, image, ct);
                if (!assembled.Succeeded) return assembled.As<UploadCompletion>();
            }
            if (session.State != UploadState.Received) return Result.Invalid($"upload {session.Id} has not received its bytes yet");
            await PublishAsync(db, actor, image, session, ct);
        }

        var entity = image.Container!.Collection!.Entity!;
        var (usage, quota) = await Entities.EntityService.UsageAsync(db, entity, Options, ct);
        return new UploadCompletion(usage, quota, $"/{entity.Name}/{image.Container.Collection.Name}/{image.Container.Name}");
    }

    public async Task<Result<bool>> AbortAsync(Actor actor, string imageId, string sessionId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await FindOwnSessionAsync(db, actor, imageId, sessionId, ct);
        if (!found.Succeeded) return found.As<bool>();
        await FailAsync(db, found.Value!, ct);
        return true;
    }

    /// <summary>Legacy <c>POST /v1/imagefile/{id}</c> and browser uploads of a whole file in one request.</summary>
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

    private async Task<Result<bool>> AssembleAsync(RegistryDbContext db, UploadSession session, Image image, CancellationToken ct)
    {
        var missing = Enumerable.Range(1, session.TotalParts).Except(session.Parts.Where(p => p.Received).Select(p => p.PartNumber)).ToList();
        if (missing.Count > 0) return Result.Invalid($"parts not received: {string.Join(",", missing.Take(10))}");
        // The running hash covers the leading parts received in order; only the rest (usually nothing) is read again.
        var (hash, covered) = running.Take(session.Id);
        StagedBytes staged;
        using (hash)
            staged = await blobs.HashAsync(session.TempPath, Math.Min(session.Size, covered * session.PartSize), hash, ct);
        if (staged.Length != session.Size || staged.Digest.Hex != image.Hash)
        {
            await FailAsync(db, session, ct);
            return Result.Invalid($"checksum mismatch: the assembled file is sha256.{staged.Digest.Hex} ({staged.Length} bytes), the image is sha256.{image.Hash}");
        }
        await StoreBlobAsync(db, session, staged, ct);
        return true;
    }

    private async Task StoreBlobAsync(RegistryDbContext db, UploadSession session, StagedBytes staged, CancellationToken ct)
    {
        await blobs.CommitAsync(staged.TempPath, staged.Digest, ct);
        if (!await db.Blobs.AnyAsync(b => b.Hash == staged.Digest.Hex, ct))
            db.Blobs.Add(new Blob { Hash = staged.Digest.Hex, Size = staged.Length });
        session.State = UploadState.Received;
        await db.SaveChangesAsync(ct);
    }

    private async Task PublishAsync(RegistryDbContext db, Actor actor, Image image, UploadSession session, CancellationToken ct)
    {
        var digest = new Digest(image.Hash);
        SifMetadata? meta;
        await using (var sif = blobs.OpenRead(digest))
        {
            image.Arch ??= Architectures.ReadFromSif(sif);
            meta = SifReader.Read(sif);
        }
        await ImageLabels.StoreAsync(db, image, meta?.Labels ?? new Dictionary<string, string>(), ct);
        image.Size = session.Size;
        image.Uploaded = true;
        image.UploadedAt = image.UpdatedAt = DateTime.UtcNow;
        session.State = UploadState.Completed;
        var c = image.Container!;
        AuditLog.Record(db, actor, "image.push", $"{c.Collection!.Entity!.Name}/{c.Collection.Name}/{c.Name}", c.CollectionId, $"sha256.{image.Hash} {image.Arch} {image.Size} bytes");
        await db.SaveChangesAsync(ct);
    }

    private async Task FailAsync(RegistryDbContext db, UploadSession session, CancellationToken ct)
    {
        running.Forget(session.Id);
        session.State = UploadState.Aborted;
        blobs.DeleteTemp(session.TempPath);
        await db.SaveChangesAsync(ct);
    }

    private static bool DiskFull(IOException e) => e.HResult is 28 or unchecked((int)0x80070070) || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    private static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b));
}
