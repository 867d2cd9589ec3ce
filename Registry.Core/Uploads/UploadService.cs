using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Images;
using Registry.Core.Storage;

namespace Registry.Core.Uploads;

/// <summary>
/// Upload sessions for the Library API's v2 single, v2 multipart and legacy v1 uploads: start (access and quota are
/// checked once, here), part URLs and abort (<see cref="UploadJanitor"/> ends what is left behind). <see cref="UploadReceiver"/> takes the bytes and
/// <see cref="UploadCompleter"/> hands verified bytes to <see cref="ImagePublisher"/>. See: docs/uploads.md.
/// </summary>
public sealed class UploadService(
    IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, IOptions<RegistryOptions> options,
    UploadReceiver receiver, UploadCompleter completer, SessionOutcomes outcomes, TimeProvider clock)
{
    private RegistryOptions Options => options.Value;

    /// <summary>Opens a session for an image the actor may push. <paramref name="sha256Hex"/>, when given, must be the image's hash.</summary>
    public async Task<Result<UploadTicket>> StartAsync(Actor actor, string imageId, UploadKind kind, long size, string? sha256Hex, CancellationToken ct = default)
    {
        if (size <= 0) return Result.Invalid("filesize must be a positive number of bytes");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await PushAccess.FindPushableImageAsync(db, actor, imageId, ct);
        if (!found.Succeeded) return found.As<UploadTicket>();
        var image = found.Value!;
        if (!string.IsNullOrEmpty(sha256Hex) && sha256Hex != image.Hash)
            return Result.Invalid($"sha256sum {sha256Hex} does not match the image's hash sha256.{image.Hash}");
        if (image.Uploaded) return Result.Conflict($"image {imageId} is already uploaded");

        var entity = image.Container!.Collection!.Entity!;
        var (usage, quota) = await EntityService.UsageAsync(db, entity, Options, ct);
        var reserved = await UploadReservations.BytesAsync(db, entity.Id, imageId, clock.GetUtcNow().UtcDateTime, ct);
        if (quota > 0 && usage + reserved + size > quota)
            return Result.InsufficientStorage($"quota exceeded: {entity.Name} uses {usage} of {quota} bytes"
                + (reserved > 0 ? $", uploads in progress hold {reserved} more," : "") + $" and this image needs {size} more");
        // Refuse up front what cannot fit: the client shows this message, while a failed PUT shows only "HTTP status 507".
        var free = blobs.AvailableBytes();
        if (size > free)
            return Result.InsufficientStorage($"the registry's disk has {free} bytes free and this image needs {size}");

        var secret = Ids.NewSecret();
        var partSize = kind == UploadKind.Multipart ? Math.Max(1, Options.MultipartPartSize) : size;
        var session = new UploadSession
        {
            ImageId = imageId,
            UserId = actor.UserId!,
            Kind = kind,
            Size = size,
            PartSize = partSize,
            TotalParts = (int)((size + partSize - 1) / partSize),
            StagingId = blobs.BeginUpload().Id,
            ExpiresAt = clock.GetUtcNow().UtcDateTime + Options.UploadUrlLifetime,
        };
        // A single-part upload's URL is part 0's; multipart parts get theirs when presigned.
        if (kind != UploadKind.Multipart)
            session.Parts.Add(new UploadPart { SessionId = session.Id, PartNumber = 0, Size = size, SecretHash = Ids.Sha256Hex(secret) });
        db.UploadSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return new UploadTicket(session.Id, 0, secret, session.PartSize, session.TotalParts);
    }

    /// <summary>Hands out the URL secret for one part after checking its number and size against the session.</summary>
    public async Task<Result<UploadTicket>> PresignPartAsync(Actor actor, string imageId, string sessionId, int partNumber, long partSize, string? sha256Hex, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await FindOwnSessionAsync(db, actor, imageId, sessionId, ct);
        if (!found.Succeeded) return found.As<UploadTicket>();
        var session = found.Value!;
        if (partNumber < 1 || partNumber > session.TotalParts) return Result.Invalid($"partNumber must be between 1 and {session.TotalParts}");
        var expected = ExpectedPartSize(session, partNumber);
        if (partSize != expected) return Result.Invalid($"part {partNumber} must be {expected} bytes, not {partSize}");
        if (!string.IsNullOrEmpty(sha256Hex) && !Digest.TryParseHex(sha256Hex, out _)) return Result.Invalid("sha256sum must be 64 lowercase hex digits");

        var secret = Ids.NewSecret();
        var part = await db.UploadParts.FirstOrDefaultAsync(p => p.SessionId == sessionId && p.PartNumber == partNumber, ct);
        if (part is null) db.UploadParts.Add(part = new UploadPart { SessionId = sessionId, PartNumber = partNumber });
        part.Size = expected;
        part.Sha256 = sha256Hex ?? "";
        part.SecretHash = Ids.Sha256Hex(secret);
        part.Received = false;
        await db.SaveChangesAsync(ct);
        return new UploadTicket(sessionId, partNumber, secret, expected, session.TotalParts);
    }

    private static long ExpectedPartSize(UploadSession s, int partNumber) =>
        Math.Min(s.PartSize, s.Size - (partNumber - 1) * s.PartSize);

    /// <summary>The session must belong to this image and to the caller (sregistry let any token abort anyone's upload).</summary>
    private async Task<Result<UploadSession>> FindOwnSessionAsync(RegistryDbContext db, Actor actor, string imageId, string sessionId, CancellationToken ct)
    {
        var image = await PushAccess.FindPushableImageAsync(db, actor, imageId, ct);
        if (!image.Succeeded) return image.As<UploadSession>();
        var session = await db.UploadSessions.Include(s => s.Parts).FirstOrDefaultAsync(s => s.Id == sessionId && s.ImageId == imageId, ct);
        if (session is null || (session.UserId != actor.UserId && !actor.IsAdmin)) return Result.NotFound($"upload {sessionId} not found for image {imageId}");
        if (session.State != UploadState.Open) return Result.Conflict($"upload {sessionId} is {session.State.ToString().ToLowerInvariant()}");
        if (session.ExpiresAt < clock.GetUtcNow().UtcDateTime) return Result.Conflict($"upload {sessionId} has expired; push again");
        return session;
    }

    public async Task<Result<bool>> AbortAsync(Actor actor, string imageId, string sessionId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await FindOwnSessionAsync(db, actor, imageId, sessionId, ct);
        if (!found.Succeeded) return found.As<bool>();
        await outcomes.FailAsync(db, found.Value!.Id, found.Value.StagingId);
        return true;
    }

    /// <summary>Legacy <c>POST /v1/imagefile/{id}</c>: the whole file in one request.</summary>
    public async Task<Result<UploadCompletion>> UploadWholeAsync(Actor actor, string imageId, Stream body, long? contentLength, CancellationToken ct = default)
    {
        if (contentLength is null or <= 0) return Result.Invalid("Content-Length is required");
        var ticket = await StartAsync(actor, imageId, UploadKind.Single, contentLength.Value, null, ct);
        if (ticket.Outcome == Outcome.Conflict) return await completer.CompleteAsync(actor, imageId, null, ct);
        if (!ticket.Succeeded) return ticket.As<UploadCompletion>();
        var received = await receiver.ReceiveAsync(ticket.Value!.SessionId, 0, ticket.Value.Secret, body, contentLength, ct);
        if (!received.Succeeded) return received.As<UploadCompletion>();
        return await completer.CompleteAsync(actor, imageId, ticket.Value.SessionId, ct);
    }
}
