using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Images;
using Registry.Core.Storage;
using Registry.Core.Tags;

namespace Registry.Core.Uploads;

/// <summary>Where a browser upload stands: bytes confirmed so far (the offset to resume from) out of the file's size.</summary>
/// <remarks><see cref="Resumed"/>: an unfinished upload of the same size to the same place was found and continues.</remarks>
public sealed record BrowserUploadStatus(string Id, long Received, long Size, int ChunkSize, bool Resumed = false);

/// <summary>
/// Uploads from the web page: chunks staged at their offsets (a <see cref="BlobUpload"/>), then hashed, stored and tagged like a
/// pushed image, so <c>pull library://</c> and <c>shub://</c> return it. The browser cannot hash a multi-GB file up front,
/// so the image is created only when every byte has arrived. Sessions are rows (<see cref="BrowserUpload"/>) whose staged
/// bytes survive a restart, so the page resumes after one.
/// </summary>
public sealed class BrowserUploadService(
    IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, IOptions<RegistryOptions> options, TimeProvider clock,
    CollectionService collections, ContainerService containers, ImageService images, TagService tags, ImagePublisher publisher,
    UploadJanitor janitor, RefusedPush refused, BrowserUploadLock uploadLock)
{
    public const int ChunkSize = 8 * 1024 * 1024;
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromHours(6);

    public async Task<Result<BrowserUploadStatus>> StartAsync(Actor actor, string entity, string collection, string container, string tag,
        long size, string description = "", bool fresh = false, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("sign in to upload");
        if (size <= 0) return Result.Invalid("the file is empty");
        if (Names.ContainerProblem(container) is { } badContainer) return Result.Invalid(badContainer);
        if (!Names.IsValid(tag)) return Result.Invalid($"'{tag}' is not a valid tag: use {Names.Rule}");
        if (description.Length > 4096) return Result.Invalid("description is longer than 4096 characters");
        var found = await collections.FindAsync(actor, entity, collection, ct);
        if (!found.Succeeded) return found.As<BrowserUploadStatus>();
        if (!AccessRules.For(actor, found.Value!).CanPush) return Result.Forbidden($"{actor.UserName} may not upload to {entity}/{collection}");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await janitor.ExpireBrowserUploadsAsync(db, ct);
        // Picking the same file again after a reload, a restart or a lost connection continues what the server has; the
        // page compares samples of those bytes with the file before it sends more (and starts afresh if they differ).
        var unfinished = await db.BrowserUploads.Where(u => u.UserId == actor.UserId && u.CollectionId == found.Value!.Id
                && u.Container == container && u.Tag == tag && u.Size == size)
            .OrderByDescending(u => u.CreatedAt).FirstOrDefaultAsync(ct);
        if (unfinished is not null && !fresh)
        {
            unfinished.Received = Math.Min(unfinished.Received, blobs.ResumeUpload(unfinished.StagingId).Length);
            return Status(unfinished) with { Resumed = true };
        }
        if (unfinished is not null) await DropAsync(db, unfinished, ct);
        var (usage, quota) = await EntityService.UsageAsync(db, found.Value!.Entity!, options.Value, ct);
        var reserved = await UploadReservations.BytesAsync(db, found.Value.EntityId, null, Now, ct);
        if (quota > 0 && usage + reserved + size > quota)
            return Result.InsufficientStorage($"quota exceeded: {entity} uses {usage} of {quota} bytes"
                + (reserved > 0 ? $", uploads in progress hold {reserved} more," : "") + $" and this file needs {size} more");
        var upload = new BrowserUpload
        {
            UserId = actor.UserId!, CollectionId = found.Value!.Id, Entity = entity, Collection = collection, Container = container, Tag = tag,
            Description = description, StagingId = blobs.BeginUpload("browser").Id, Size = size, CreatedAt = Now, ExpiresAt = Now + IdleLifetime,
        };
        db.BrowserUploads.Add(upload);
        await db.SaveChangesAsync(ct);
        return Status(upload);
    }

    public async Task<Result<BrowserUploadStatus>> StatusAsync(Actor actor, string id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await FindAsync(db, actor, id, ct) is { } upload ? Status(upload) : NotFound;
    }

    /// <summary>Writes one chunk at <paramref name="offset"/>, which must not be past the bytes received so far.</summary>
    public async Task<Result<BrowserUploadStatus>> ReceiveAsync(Actor actor, string id, long offset, Stream body, CancellationToken ct = default)
    {
        await using var held = await uploadLock.TakeAsync(id, ct);
        if (held is null) return Busy;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindAsync(db, actor, id, ct) is not { } upload) return NotFound;
        if (offset < 0 || offset > upload.Received) return Result.Conflict($"expected offset {upload.Received}, got {offset}");
        var staged = blobs.ResumeUpload(upload.StagingId);
        if (offset < upload.Received)
        {
            // Bytes received before come again (maybe other bytes): the staged file takes a new id first, so no node
            // finishes with a running hash of the bytes they replace (it keeps one per id, and in its memory only).
            staged = staged.Renamed();
            upload.StagingId = staged.Id;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        try
        {
            // Chunks in order advance the upload's running hash: finishing a multi-GB upload doesn't read it all back.
            var written = await staged.WriteAsync(body, offset, Math.Min(ChunkSize, upload.Size - offset), hashOwn: false, ct);
            // On disk before the count that says so: after a crash the upload resumes from that count, and a chunk lost
            // from the page cache would otherwise be hashed and published as zeros.
            staged.Flush();
            upload.Received = offset + written.Length;
        }
        catch (BlobTooLargeException)
        {
            return Result.Invalid($"a chunk is at most {ChunkSize} bytes and the file {upload.Size} bytes");
        }
        catch (SourceReadException e)
        {
            // A conflict, like a wrong offset: the page asks for the status and sends again from the recorded offset.
            return Result.Conflict($"the chunk could not be read ({e.InnerException?.Message}); send it again from offset {upload.Received}");
        }
        upload.ExpiresAt = Now + IdleLifetime;
        await db.SaveChangesAsync(CancellationToken.None); // the bytes are written: record them even if the client left
        return Status(upload);
    }

    /// <summary>Finishes the file's hash and publishes it as <c>entity/collection/container:tag</c>; returns the container's path.</summary>
    public async Task<Result<string>> FinishAsync(Actor actor, string id, CancellationToken ct = default)
    {
        await using var held = await uploadLock.TakeAsync(id, ct);
        if (held is null) return Busy;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindAsync(db, actor, id, ct) is not { } s) return NotFound;
        if (s.Received != s.Size) return Result.Conflict($"received {s.Received} of {s.Size} bytes");
        var staged = blobs.ResumeUpload(s.StagingId);
        var bytes = await staged.DigestAsync(ct); // reads only what the running hash lacks
        var sif = ImagePublisher.Inspect(staged);
        if (!sif.Succeeded)
        {
            await DropAsync(db, s, ct);
            return sif.As<string>();
        }

        var container = await containers.FindAsync(actor, s.Entity, s.Collection, s.Container, ct);
        if (container.Outcome == Outcome.NotFound) container = await containers.CreateAsync(actor, s.CollectionId, s.Container, "", ct);
        if (!container.Succeeded) return container.As<string>();
        var image = await images.CreateAsync(actor, container.Value!.Id, bytes.Digest.LibraryForm, s.Description, ct);
        if (!image.Succeeded) return image.As<string>();

        if (!image.Value!.Uploaded)
        {
            await using var publishDb = await dbFactory.CreateDbContextAsync(ct);
            var published = await publisher.PublishAsync(publishDb, actor, image.Value.Id, staged, sif.Value!, " (browser)", ct);
            if (!published.Succeeded)
            {
                if (published.Outcome == Outcome.Forbidden) await DropAsync(db, s, ct); // refused by the collection's policy: nothing is kept
                await refused.ForgetAsync(image.Value.Id); // nor the image and container made for it (a retry makes them again)
                return published.As<string>();
            }
        }
        else staged.Discard();
        db.BrowserUploads.Remove(s);
        await db.SaveChangesAsync(CancellationToken.None);
        var tagged = await tags.SetAsync(actor, container.Value.Id, null, s.Tag, image.Value.Id, ct);
        if (!tagged.Succeeded) return tagged.As<string>();
        return $"/{s.Entity}/{s.Collection}/{s.Container}";
    }

    public async Task<Result<bool>> AbortAsync(Actor actor, string id, CancellationToken ct = default)
    {
        await using var held = await uploadLock.TakeAsync(id, ct);
        if (held is null) return Busy;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindAsync(db, actor, id, ct) is not { } upload) return NotFound;
        await DropAsync(db, upload, ct);
        return true;
    }

    /// <summary>
    /// The caller's live upload, its received count checked against the staged bytes: after a crash the row may claim
    /// bytes that never reached the disk, and those are what get hashed.
    /// </summary>
    private async Task<BrowserUpload?> FindAsync(RegistryDbContext db, Actor actor, string id, CancellationToken ct)
    {
        var now = Now;
        var upload = await db.BrowserUploads.FirstOrDefaultAsync(u => u.Id == id && u.ExpiresAt > now, ct);
        if (upload is null || (upload.UserId != actor.UserId && !actor.IsAdmin)) return null;
        upload.Received = Math.Min(upload.Received, blobs.ResumeUpload(upload.StagingId).Length);
        return upload;
    }

    private async Task DropAsync(RegistryDbContext db, BrowserUpload upload, CancellationToken ct)
    {
        db.BrowserUploads.Remove(upload);
        await db.SaveChangesAsync(ct);
        blobs.ResumeUpload(upload.StagingId).Discard();
    }

    private static Result.Failure NotFound => Result.NotFound("upload not found or expired");

    private static Result.Failure Busy => Result.Conflict("another request on this upload has been running for 30 s; ask for its status and go on from there");

    private static BrowserUploadStatus Status(BrowserUpload u) => new(u.Id, u.Received, u.Size, ChunkSize);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
