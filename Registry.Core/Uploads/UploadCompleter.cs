using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Images;
using Registry.Core.Storage;

namespace Registry.Core.Uploads;

/// <summary>
/// <c>_complete</c>: one request claims the session (state Completing), verifies multipart uploads against the image's
/// hash and hands the bytes to <see cref="ImagePublisher"/>; racing completions wait for it and answer the same.
/// </summary>
public sealed class UploadCompleter(
    IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, SessionOutcomes outcomes,
    ImagePublisher publisher, RefusedPush refused, PartsWrittenHere partsHere, IOptions<RegistryOptions> options)
{
    /// <summary>How long a completion waits for another completion of the same upload before answering 409.</summary>
    private static readonly TimeSpan CompletionWait = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Makes the uploaded image visible: verifies multipart uploads, then publishes. Idempotent: once the image is
    /// uploaded every call answers the same, and calls racing on one upload wait for the one that publishes it.
    /// </summary>
    public async Task<Result<UploadCompletion>> CompleteAsync(Actor actor, string imageId, string? sessionId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var imageResult = await PushAccess.FindPushableImageAsync(db, actor, imageId, ct);
        if (!imageResult.Succeeded) return imageResult.As<UploadCompletion>();
        var image = imageResult.Value!;
        if (!image.Uploaded)
        {
            var published = await CompleteSessionAsync(db, actor, image, sessionId, ct);
            if (!published.Succeeded) return published.As<UploadCompletion>();
        }
        var entity = image.Container!.Collection!.Entity!;
        var (usage, quota) = await Entities.EntityService.UsageAsync(db, entity, options.Value, ct);
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
            var staged = blobs.ResumeUpload(session.StagingId);
            if (session.Kind == UploadKind.Multipart)
            {
                var verified = await VerifyPartsAsync(db, session, staged, image, ct);
                if (!verified.Succeeded) return verified.As<bool>();
            }
            var sif = ImagePublisher.Inspect(staged);
            var published = sif.Succeeded ? await publisher.PublishAsync(db, actor, image.Id, staged, sif.Value!, "", ct) : sif.As<bool>();
            if (!published.Succeeded)
            {
                // Refused (not a SIF, the collection's signing policy, the quota): the bytes, and the image and container
                // registered only for them, go.
                await outcomes.FailAsync(db, session.Id, session.StagingId);
                await refused.ForgetAsync(image.Id);
                return published;
            }
            await SessionOutcomes.SetStateAsync(db, session.Id, UploadState.Completed);
            return true;
        }
        catch
        {
            // Cut off (client gone, disk error): the upload can be completed again.
            await SessionOutcomes.SetStateAsync(db, session.Id, from, onlyIf: UploadState.Completing);
            throw;
        }
    }

    /// <summary>Every part arrived and the assembled file hashes to the image; else the upload stays open or is discarded.</summary>
    private async Task<Result<bool>> VerifyPartsAsync(RegistryDbContext db, UploadSession session, BlobUpload staged, Image image, CancellationToken ct)
    {
        var received = await db.UploadParts.Where(p => p.SessionId == session.Id && p.Received).Select(p => new { p.PartNumber, p.ETag }).ToListAsync(ct);
        var missing = Enumerable.Range(1, session.TotalParts).Except(received.Select(p => p.PartNumber)).ToList();
        if (missing.Count > 0)
        {
            await SessionOutcomes.SetStateAsync(db, session.Id, UploadState.Open, onlyIf: UploadState.Completing);
            return Result.Invalid($"parts not received: {string.Join(",", missing.Take(10))}");
        }
        // The running hash covers the leading parts received in order; only the rest (usually nothing) is read again. It is
        // this process's memory: with a part since written by another node (other bytes maybe), the whole file is read.
        if (!partsHere.AllWrittenHere(session.Id, received.Select(p => (p.PartNumber, p.ETag)))) staged.ForgetRunningHash();
        var bytes = await staged.DigestAsync(ct);
        partsHere.Forget(session.Id);
        if (bytes.Length == session.Size && bytes.Digest.Hex == image.Hash) return true;
        await outcomes.FailAsync(db, session.Id, session.StagingId);
        return Result.Invalid($"checksum mismatch: the assembled file is sha256.{bytes.Digest.Hex} ({bytes.Length} bytes), the image is sha256.{image.Hash}");
    }
}
