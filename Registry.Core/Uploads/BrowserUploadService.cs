using System.Collections.Concurrent;
using System.Security.Cryptography;
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
public sealed record BrowserUploadStatus(string Id, long Received, long Size, int ChunkSize);

/// <summary>
/// Uploads from the web page: chunks appended at their offsets into a temp file, then hashed, stored and tagged like a
/// pushed image, so <c>pull library://</c> and <c>shub://</c> return it. The browser cannot hash a multi-GB file up front,
/// so the image is created only when every byte has arrived. Sessions are rows (<see cref="BrowserUpload"/>) whose temp
/// files survive a restart, so the page resumes after one.
/// </summary>
public sealed class BrowserUploadService(
    IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, IOptions<RegistryOptions> options, TimeProvider clock,
    CollectionService collections, ContainerService containers, ImageService images, TagService tags, ImagePublisher publisher)
{
    public const int ChunkSize = 8 * 1024 * 1024;
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromHours(6);
    // One request at a time per upload (chunks, finish): the row is the state, these only keep its writers in line. A fixed
    // set picked by the id's hash, not one per id: nothing to clean up, and ids that don't exist can't grow it.
    private readonly SemaphoreSlim[] _locks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    // The SHA-256 of each upload's first Length bytes, advanced as chunks arrive in order (under the upload's lock), so
    // finishing a multi-GB upload doesn't read it all back from disk. Memory only: after a restart, or once a chunk is sent
    // again over bytes already hashed, finishing hashes the file from where this stops (from the start when it's gone).
    private readonly ConcurrentDictionary<string, (IncrementalHash Hash, long Length)> _hashes = new(StringComparer.Ordinal);

    public async Task<Result<BrowserUploadStatus>> StartAsync(Actor actor, string entity, string collection, string container, string tag,
        long size, string description = "", CancellationToken ct = default)
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
        var (usage, quota) = await EntityService.UsageAsync(db, found.Value!.Entity!, options.Value, ct);
        var reserved = await UploadReservations.BytesAsync(db, found.Value.EntityId, null, Now, ct);
        if (quota > 0 && usage + reserved + size > quota)
            return Result.InsufficientStorage($"quota exceeded: {entity} uses {usage} of {quota} bytes"
                + (reserved > 0 ? $", uploads in progress hold {reserved} more," : "") + $" and this file needs {size} more");
        await RemoveExpiredAsync(db, ct);
        var upload = new BrowserUpload
        {
            UserId = actor.UserId!, CollectionId = found.Value!.Id, Entity = entity, Collection = collection, Container = container, Tag = tag,
            Description = description, TempPath = blobs.NewTempPath("browser"), Size = size, CreatedAt = Now, ExpiresAt = Now + IdleLifetime,
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
        using var held = await LockAsync(id, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindAsync(db, actor, id, ct) is not { } upload) return NotFound;
        if (offset < 0 || offset > upload.Received) return Result.Conflict($"expected offset {upload.Received}, got {offset}");
        var fed = NextHash(id, offset);
        try
        {
            var length = await blobs.WriteAsync(body, upload.TempPath, offset, Math.Min(ChunkSize, upload.Size - offset), null, fed, ct);
            // On disk before the count that says so: after a crash the upload resumes from that count, and a chunk lost
            // from the page cache would otherwise be hashed and published as zeros.
            blobs.SyncTemp(upload.TempPath);
            upload.Received = offset + length;
            if (fed is not null) SwapHash(id, fed, upload.Received);
            fed = null;
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
        finally
        {
            fed?.Dispose();
        }
        upload.ExpiresAt = Now + IdleLifetime;
        await db.SaveChangesAsync(CancellationToken.None); // the bytes are written: record them even if the client left
        return Status(upload);
    }

    /// <summary>Finishes the file's hash and publishes it as <c>entity/collection/container:tag</c>; returns the container's path.</summary>
    public async Task<Result<string>> FinishAsync(Actor actor, string id, CancellationToken ct = default)
    {
        using var held = await LockAsync(id, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindAsync(db, actor, id, ct) is not { } s) return NotFound;
        if (s.Received != s.Size) return Result.Conflict($"received {s.Received} of {s.Size} bytes");
        var (hash, hashed) = _hashes.TryRemove(id, out var running) && running.Length <= s.Received
            ? running
            : (IncrementalHash.CreateHash(HashAlgorithmName.SHA256), 0);
        StagedBytes staged;
        using (hash) staged = await blobs.HashAsync(s.TempPath, hashed, hash, ct); // reads only what the running hash lacks
        var sif = ImagePublisher.Inspect(s.TempPath);
        if (!sif.Succeeded)
        {
            await DropAsync(db, s, ct);
            return sif.As<string>();
        }

        var container = await containers.FindAsync(actor, s.Entity, s.Collection, s.Container, ct);
        if (container.Outcome == Outcome.NotFound) container = await containers.CreateAsync(actor, s.CollectionId, s.Container, "", ct);
        if (!container.Succeeded) return container.As<string>();
        var image = await images.CreateAsync(actor, container.Value!.Id, staged.Digest.LibraryForm, s.Description, ct);
        if (!image.Succeeded) return image.As<string>();

        if (!image.Value!.Uploaded)
        {
            await using var publishDb = await dbFactory.CreateDbContextAsync(ct);
            var published = await publisher.PublishAsync(publishDb, actor, image.Value.Id, staged, sif.Value!, " (browser)", ct);
            if (!published.Succeeded)
            {
                if (published.Outcome == Outcome.Forbidden) await DropAsync(db, s, ct); // refused by the collection's policy: nothing is kept
                return published.As<string>();
            }
            if (!published.Value) blobs.DeleteTemp(s.TempPath);
        }
        else blobs.DeleteTemp(s.TempPath);
        db.BrowserUploads.Remove(s);
        await db.SaveChangesAsync(CancellationToken.None);
        var tagged = await tags.SetAsync(actor, container.Value.Id, null, s.Tag, image.Value.Id, ct);
        if (!tagged.Succeeded) return tagged.As<string>();
        return $"/{s.Entity}/{s.Collection}/{s.Container}";
    }

    public async Task<Result<bool>> AbortAsync(Actor actor, string id, CancellationToken ct = default)
    {
        using var held = await LockAsync(id, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindAsync(db, actor, id, ct) is not { } upload) return NotFound;
        await DropAsync(db, upload, ct);
        return true;
    }

    /// <summary>
    /// The caller's live upload, its received count checked against the temp file: after a crash the row may claim bytes
    /// that never reached the disk, and the file is what gets hashed.
    /// </summary>
    private async Task<BrowserUpload?> FindAsync(RegistryDbContext db, Actor actor, string id, CancellationToken ct)
    {
        var now = Now;
        var upload = await db.BrowserUploads.FirstOrDefaultAsync(u => u.Id == id && u.ExpiresAt > now, ct);
        if (upload is null || (upload.UserId != actor.UserId && !actor.IsAdmin)) return null;
        var onDisk = File.Exists(upload.TempPath) ? new FileInfo(upload.TempPath).Length : 0;
        upload.Received = Math.Min(upload.Received, onDisk);
        return upload;
    }

    /// <summary>A copy of the running hash to feed the chunk at <paramref name="offset"/> into, or null when it isn't next.</summary>
    private IncrementalHash? NextHash(string id, long offset)
    {
        if (!_hashes.TryGetValue(id, out var running)) return offset == 0 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        if (offset == running.Length) return running.Hash.Clone();
        if (offset < running.Length && _hashes.TryRemove(id, out var stale)) stale.Hash.Dispose(); // bytes already hashed are being replaced
        return null;
    }

    private void SwapHash(string id, IncrementalHash fed, long length)
    {
        if (_hashes.Count >= 1000) _hashes.Clear(); // abandoned uploads' hashes: finishing then reads the file instead
        if (_hashes.TryGetValue(id, out var old)) old.Hash.Dispose();
        _hashes[id] = (fed, length);
    }

    private async Task DropAsync(RegistryDbContext db, BrowserUpload upload, CancellationToken ct)
    {
        if (_hashes.TryRemove(upload.Id, out var running)) running.Hash.Dispose();
        db.BrowserUploads.Remove(upload);
        await db.SaveChangesAsync(ct);
        blobs.DeleteTemp(upload.TempPath);
    }

    /// <summary>Abandoned uploads go when someone starts a new one, so a registry without scheduled gc doesn't keep their bytes.</summary>
    private async Task RemoveExpiredAsync(RegistryDbContext db, CancellationToken ct)
    {
        var now = Now;
        foreach (var expired in await db.BrowserUploads.Where(u => u.ExpiresAt <= now).ToListAsync(ct))
        {
            db.BrowserUploads.Remove(expired);
            blobs.DeleteTemp(expired.TempPath);
        }
    }

    private async Task<IDisposable> LockAsync(string id, CancellationToken ct)
    {
        var gate = _locks[(uint)StringComparer.Ordinal.GetHashCode(id) % (uint)_locks.Length];
        await gate.WaitAsync(ct);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    private static Result.Failure NotFound => Result.NotFound("upload not found or expired");

    private static BrowserUploadStatus Status(BrowserUpload u) => new(u.Id, u.Received, u.Size, ChunkSize);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
