using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>Where an upload session stands after a write: the bytes staged so far.</summary>
public sealed record OciUploadState(string StagingId, long Length);

/// <summary>
/// Blob uploads on <c>/v2/</c>: the same staged-upload pipeline as every other push (<see cref="BlobUpload"/>: a temp file on
/// the blob volume, hashed as written, committed only against the digest the client names). Push access is checked on
/// every request, and writes are bounded by the entity's quota and the disk's free space. A session is its staged file in
/// the shared data folder (its id is signed, <c>OciSessions</c>), so any node can go on with it; one request at a time
/// writes or commits it, on whichever node (<see cref="Nodes.ClusterLease"/>, which holds no database connection while the
/// body streams), which is what keeps the bytes a node hashed as they arrived the bytes it commits.
/// See: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-blobs
/// </summary>
public sealed class OciUploads(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, OciBlobs ociBlobs, IOptions<RegistryOptions> options,
    Nodes.ClusterLease leases)
{
    /// <summary>How long a session id stays valid after the session starts (gc goes by the staged file's last write: it has no row).</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(24);

    public async Task<Result<OciUploadState>> StartAsync(Actor actor, OciRepository repo, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.PushableAsync(db, repo, actor, ct);
        if (!target.Succeeded) return target.As<OciUploadState>();
        // The staged file exists from the start: a session whose file is gone (committed, dropped, or swept at a restart)
        // is then told apart from an empty one, and answers BLOB_UPLOAD_UNKNOWN so the client starts over cleanly.
        var upload = blobs.BeginUpload("oci");
        upload.Flush();
        return new OciUploadState(upload.Id, 0);
    }

    /// <summary>
    /// Cross-repository mount: links blob <paramref name="digest"/> of <paramref name="from"/> into <paramref name="repo"/>
    /// when the actor may push here and read there and the source holds the blob. False otherwise, without saying which:
    /// the caller then gets an ordinary session, so a private blob's existence is never told.
    /// </summary>
    public async Task<bool> MountAsync(Actor actor, OciRepository repo, OciRepository from, Digest digest, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.PushableAsync(db, repo, actor, ct);
        if (!target.Succeeded) return false;
        var source = await OciAccess.ReadableAsync(db, from, actor, ct);
        if (!source.Succeeded) return false;
        if (await ociBlobs.LengthInAsync(db, from, source.Value!.Container?.Id, digest, ct) is not { } length) return false;
        // A mount adds the blob to this entity's usage, unless it is counted here already: past the quota it is an
        // ordinary session, whose upload is then refused with the quota's message.
        var (usage, quota) = await EntityService.UsageAsync(db, target.Value!.Entity, options.Value, ct);
        if (quota > 0 && usage + length > quota && !await OciUsage.CountsAsync(db, target.Value.Entity, digest, ct)) return false;
        await LinkAsync(db, repo, digest, length, ct);
        return true;
    }

    /// <summary>The bytes a session holds (<c>GET</c> on a session); null when its staged file is gone.</summary>
    public long? LengthOf(string stagingId) => blobs.ResumeUpload(stagingId) is { Exists: true } staged ? staged.Length : null;

    /// <summary>
    /// Appends <paramref name="body"/> to the session. <paramref name="start"/> is the <c>Content-Range</c> start when the
    /// client sent one: anything but the session's length is out of order (Conflict, answered 416).
    /// </summary>
    public async Task<Result<OciUploadState>> AppendAsync(Actor actor, OciRepository repo, string stagingId, Stream body, long? start, CancellationToken ct = default)
    {
        await using var held = await WriterAsync(stagingId, ct);
        if (held is null) return Busy();
        try { return await AppendUnlockedAsync(actor, repo, stagingId, body, start, held.Token); }
        catch (OperationCanceledException) when (held.Lost) { return Lost(); }
    }

    private async Task<Result<OciUploadState>> AppendUnlockedAsync(Actor actor, OciRepository repo, string stagingId, Stream body, long? start, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.PushableAsync(db, repo, actor, ct);
        if (!target.Succeeded) return target.As<OciUploadState>();
        var staged = blobs.ResumeUpload(stagingId);
        if (!staged.Exists) return Gone(); // committed or dropped by the request that held the session before this one
        var offset = staged.Length;
        if (start is { } s && s != offset) return Result.Conflict($"the upload holds {offset} bytes: the next chunk must start at {offset}, not {s}");
        var room = await RoomAsync(db, target.Value!.Entity, ct);
        try { await staged.WriteAsync(body, offset, Math.Max(0, room - offset), hashOwn: false, ct); }
        catch (BlobTooLargeException)
        {
            staged.Discard(); // a refused push keeps nothing: the session is gone, the client starts over
            return Result.InsufficientStorage(await FullMessageAsync(db, target.Value.Entity, ct));
        }
        return new OciUploadState(stagingId, staged.Length);
    }

    /// <summary>
    /// Ends a session (<c>PUT ?digest=</c>, or a monolithic <c>POST ?digest=</c>): writes the last bytes, if any, and
    /// commits the whole upload as blob <paramref name="expected"/>. Bytes that hash otherwise are dropped (Invalid).
    /// </summary>
    public async Task<Result<Digest>> FinishAsync(Actor actor, OciRepository repo, string stagingId, Digest expected, Stream? last, CancellationToken ct = default)
    {
        await using var held = await WriterAsync(stagingId, ct);
        if (held is null) return Busy();
        try { return await FinishUnlockedAsync(actor, repo, stagingId, expected, last, held.Token); }
        catch (OperationCanceledException) when (held.Lost) { return Lost(); }
    }

    private async Task<Result<Digest>> FinishUnlockedAsync(Actor actor, OciRepository repo, string stagingId, Digest expected, Stream? last, CancellationToken ct)
    {
        var appended = last is null ? default : await AppendUnlockedAsync(actor, repo, stagingId, last, null, ct);
        if (last is not null && !appended.Succeeded) return appended.As<Digest>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.PushableAsync(db, repo, actor, ct);
        if (!target.Succeeded) return target.As<Digest>();
        var staged = blobs.ResumeUpload(stagingId);
        if (!staged.Exists) return Gone();
        var bytes = await staged.DigestAsync(ct);
        if (bytes.Digest != expected)
        {
            staged.Discard();
            return Result.Invalid($"the uploaded bytes ({bytes.Length}) hash to {bytes.Digest.Oci()}, not {expected.Oci()}");
        }
        if (await staged.CommitAsync(expected, ct) == BlobCommit.DigestMismatch) return Result.Invalid("the upload changed while it was committed");
        await LinkAsync(db, repo, expected, bytes.Length, ct);
        return expected;
    }

    /// <summary>Drops a session's bytes (<c>DELETE</c> on a session); false while another request writes it.</summary>
    public async Task<bool> CancelAsync(string stagingId, CancellationToken ct = default)
    {
        await using var held = await WriterAsync(stagingId, ct);
        if (held is null) return false;
        blobs.ResumeUpload(stagingId).Discard();
        return true;
    }

    /// <summary>The session's writer claim, on every node; null while another request (here or on another node) holds it.</summary>
    private Task<Nodes.ClusterLease.Held?> WriterAsync(string stagingId, CancellationToken ct) => leases.TryTakeAsync("oci-upload:" + stagingId, ct);

    private static Result.Failure Busy() => Result.Conflict("another request is writing this upload session: send its chunks one at a time");

    private static Result.Failure Lost() =>
        Result.Conflict("this request's hold on the upload session ran out (the database was out of reach): ask for the session's Range and go on from there");

    /// <summary>The message of a session whose staged bytes are gone (the API answers it as <c>BLOB_UPLOAD_UNKNOWN</c>).</summary>
    public const string GoneMessage = "upload session unknown, expired or not yours: start a new one with POST";

    private static Result.Failure Gone() => Result.NotFound(GoneMessage);

    internal static async Task LinkAsync(RegistryDbContext db, OciRepository repo, Digest digest, long length, CancellationToken ct)
    {
        var path = repo.ToString();
        if (await db.OciBlobLinks.AnyAsync(l => l.Repository == path && l.Hash == digest.Hex, ct)) return;
        db.OciBlobLinks.Add(new OciBlobLink { Repository = path, Hash = digest.Hex, Size = length });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { } // the same blob linked by a concurrent upload: the row is there either way
    }

    private async Task<long> RoomAsync(RegistryDbContext db, Entity entity, CancellationToken ct)
    {
        var (usage, quota) = await EntityService.UsageAsync(db, entity, options.Value, ct);
        var room = blobs.AvailableBytes() - OciLimits.DiskReserve;
        return quota > 0 ? Math.Min(room, quota - usage) : room;
    }

    private async Task<string> FullMessageAsync(RegistryDbContext db, Entity entity, CancellationToken ct)
    {
        var (usage, quota) = await EntityService.UsageAsync(db, entity, options.Value, ct);
        return quota > 0 && quota - usage <= blobs.AvailableBytes() - OciLimits.DiskReserve
            ? $"quota exceeded: {entity.Name} uses {usage} of {quota} bytes and this blob does not fit"
            : "the registry's disk is full: ask an administrator to free space";
    }
}
