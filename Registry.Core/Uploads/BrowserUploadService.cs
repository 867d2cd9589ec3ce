using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Audit;
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
/// so the image is created only when every byte has arrived. Sessions live in memory: a restart empties the temp folder anyway.
/// </summary>
public sealed class BrowserUploadService(
    IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, IOptions<RegistryOptions> options, TimeProvider clock,
    CollectionService collections, ContainerService containers, ImageService images, TagService tags)
{
    public const int ChunkSize = 8 * 1024 * 1024;
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromHours(6);
    private readonly ConcurrentDictionary<string, Session> _sessions = new();

    private sealed class Session
    {
        public required string Id, UserId, CollectionId, Entity, Collection, Container, Tag, Description, TempPath;
        public required long Size;
        public long Received;
        public DateTime TouchedAt;
        public readonly SemaphoreSlim Lock = new(1, 1);
    }

    public async Task<Result<BrowserUploadStatus>> StartAsync(Actor actor, string entity, string collection, string container, string tag,
        long size, string description = "", CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("sign in to upload");
        if (size <= 0) return Result.Invalid("the file is empty");
        if (!Names.IsValid(container)) return Result.Invalid($"'{container}' is not a valid container name: use {Names.Rule}");
        if (!Names.IsValid(tag)) return Result.Invalid($"'{tag}' is not a valid tag: use {Names.Rule}");
        var found = await collections.FindAsync(actor, entity, collection, ct);
        if (!found.Succeeded) return found.As<BrowserUploadStatus>();
        if (!AccessRules.For(actor, found.Value!).CanPush) return Result.Forbidden($"{actor.UserName} may not upload to {entity}/{collection}");

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var (usage, quota) = await EntityService.UsageAsync(db, found.Value!.Entity!, options.Value, ct);
            if (quota > 0 && usage + size > quota)
                return Result.InsufficientStorage($"quota exceeded: {entity} uses {usage} of {quota} bytes and this file needs {size} more");
        }
        Sweep();
        var session = new Session
        {
            Id = Ids.New(), UserId = actor.UserId!, CollectionId = found.Value!.Id, Entity = entity, Collection = collection,
            Container = container, Tag = tag, Description = description, TempPath = blobs.NewTempPath("browser"), Size = size, TouchedAt = Now,
        };
        _sessions[session.Id] = session;
        return Status(session);
    }

    public Result<BrowserUploadStatus> Status(Actor actor, string id) =>
        Find(actor, id) is { } s ? Status(s) : Result.NotFound("upload not found or expired");

    /// <summary>Writes one chunk at <paramref name="offset"/>, which must not be past the bytes received so far.</summary>
    public async Task<Result<BrowserUploadStatus>> ReceiveAsync(Actor actor, string id, long offset, Stream body, CancellationToken ct = default)
    {
        if (Find(actor, id) is not { } s) return Result.NotFound("upload not found or expired");
        await s.Lock.WaitAsync(ct);
        try
        {
            if (offset < 0 || offset > s.Received) return Result.Conflict($"expected offset {s.Received}, got {offset}");
            var staged = await blobs.WriteAsync(body, s.TempPath, offset, Math.Min(ChunkSize, s.Size - offset), ct);
            s.Received = offset + staged.Length;
            s.TouchedAt = Now;
            return Status(s);
        }
        catch (BlobTooLargeException)
        {
            return Result.Invalid($"a chunk is at most {ChunkSize} bytes and the file {s.Size} bytes");
        }
        finally { s.Lock.Release(); }
    }

    /// <summary>Hashes the whole file and publishes it as <c>entity/collection/container:tag</c>; returns the container's path.</summary>
    public async Task<Result<string>> FinishAsync(Actor actor, string id, CancellationToken ct = default)
    {
        if (Find(actor, id) is not { } s) return Result.NotFound("upload not found or expired");
        await s.Lock.WaitAsync(ct);
        try
        {
            if (s.Received != s.Size) return Result.Conflict($"received {s.Received} of {s.Size} bytes");
            var staged = await blobs.HashAsync(s.TempPath, ct);
            SifMetadata? sif;
            string? arch;
            await using (var file = File.OpenRead(s.TempPath))
            {
                arch = Architectures.ReadFromSif(file);
                sif = SifReader.Read(file);
            }
            if (sif is null) { Drop(s); return Result.Invalid("this is not a SIF file (no SIF_MAGIC in its header)"); }

            var container = await containers.FindAsync(actor, s.Entity, s.Collection, s.Container, ct);
            if (container.Outcome == Outcome.NotFound) container = await containers.CreateAsync(actor, s.CollectionId, s.Container, "", ct);
            if (!container.Succeeded) return container.As<string>();
            var image = await images.CreateAsync(actor, container.Value!.Id, staged.Digest.LibraryForm, s.Description, ct);
            if (!image.Succeeded) return image.As<string>();

            if (!image.Value!.Uploaded) await PublishAsync(actor, image.Value.Id, staged, arch, sif.Signed, ct);
            else blobs.DeleteTemp(s.TempPath);
            var tagged = await tags.SetAsync(actor, container.Value.Id, null, s.Tag, image.Value.Id, ct);
            if (!tagged.Succeeded) return tagged.As<string>();
            _sessions.TryRemove(s.Id, out _);
            return $"/{s.Entity}/{s.Collection}/{s.Container}";
        }
        finally { s.Lock.Release(); }
    }

    public Result<bool> Abort(Actor actor, string id)
    {
        if (Find(actor, id) is not { } s) return Result.NotFound("upload not found or expired");
        Drop(s);
        return true;
    }

    private async Task PublishAsync(Actor actor, string imageId, StagedBytes staged, string? arch, bool signed, CancellationToken ct)
    {
        await blobs.CommitAsync(staged.TempPath, staged.Digest, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Blobs.AnyAsync(b => b.Hash == staged.Digest.Hex, ct))
            db.Blobs.Add(new Blob { Hash = staged.Digest.Hex, Size = staged.Length });
        var image = await db.Images.Include(i => i.Container).ThenInclude(c => c!.Collection).ThenInclude(c => c!.Entity)
            .FirstAsync(i => i.Id == imageId, ct);
        image.Size = staged.Length;
        image.Arch ??= arch;
        image.Signed = signed;
        image.Uploaded = true;
        image.UploadedAt = image.UpdatedAt = DateTime.UtcNow;
        var c = image.Container!;
        AuditLog.Record(db, actor, "image.push", $"{c.Collection!.Entity!.Name}/{c.Collection.Name}/{c.Name}", c.CollectionId,
            $"sha256.{image.Hash} {image.Arch} {image.Size} bytes (browser)");
        await db.SaveChangesAsync(ct);
    }

    private Session? Find(Actor actor, string id) =>
        _sessions.TryGetValue(id, out var s) && (s.UserId == actor.UserId || actor.IsAdmin) && Now - s.TouchedAt < IdleLifetime ? s : null;

    private static BrowserUploadStatus Status(Session s) => new(s.Id, s.Received, s.Size, ChunkSize);

    private void Drop(Session s)
    {
        _sessions.TryRemove(s.Id, out _);
        blobs.DeleteTemp(s.TempPath);
    }

    private void Sweep()
    {
        foreach (var s in _sessions.Values.Where(s => Now - s.TouchedAt >= IdleLifetime).ToList()) Drop(s);
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
