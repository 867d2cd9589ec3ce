using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Uploads;

/// <summary>A browser upload that has not finished, as its owner (or an admin) sees it.</summary>
public sealed record UnfinishedUpload(string Id, string Owner, string Entity, string Collection, string Container, string Tag,
    long Received, long Size, DateTime ExpiresAt);

/// <summary>
/// Browser uploads left unfinished (a closed tab, a lost connection): listed for their owner and admins, who can remove
/// them (<see cref="BrowserUploadService.AbortAsync"/>) or resume by picking the same file; gc removes them once expired.
/// </summary>
public sealed class UnfinishedUploads(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, TimeProvider clock)
{
    public const int MaxSample = 64 * 1024;

    /// <summary>The actor's unfinished uploads (every user's for an admin), optionally only those to one collection.</summary>
    public async Task<List<UnfinishedUpload>> ListAsync(Actor actor, string? entity = null, string? collection = null, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var uploads = db.BrowserUploads.Where(u => u.ExpiresAt > now);
        if (!actor.IsAdmin) uploads = uploads.Where(u => u.UserId == actor.UserId);
        if (entity is not null && collection is not null) uploads = uploads.Where(u => u.Entity == entity && u.Collection == collection);
        return await uploads.OrderByDescending(u => u.ExpiresAt).Take(200)
            .Join(db.Users, u => u.UserId, user => user.Id, (u, user) => new UnfinishedUpload(u.Id, user.UserName ?? "", u.Entity, u.Collection,
                u.Container, u.Tag, u.Received, u.Size, u.ExpiresAt))
            .ToListAsync(ct);
    }

    /// <summary>
    /// Up to 64 KiB of what the server holds at <paramref name="offset"/>, for the page to compare with the file it was
    /// given before it resumes: the same name and size is no proof of the same bytes.
    /// </summary>
    public async Task<Result<byte[]>> SampleAsync(Actor actor, string id, long offset, int length, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var upload = await db.BrowserUploads.FirstOrDefaultAsync(u => u.Id == id && u.ExpiresAt > now, ct);
        if (upload is null || (upload.UserId != actor.UserId && !actor.IsAdmin)) return Result.NotFound("upload not found or expired");
        var staged = blobs.ResumeUpload(upload.StagingId);
        var received = Math.Min(upload.Received, staged.Length);
        if (length is <= 0 or > MaxSample || offset < 0 || offset + length > received)
            return Result.Invalid($"a sample is 1 to {MaxSample} bytes within the {received} received");
        var bytes = new byte[length];
        await using var stream = staged.OpenRead();
        stream.Position = offset;
        await stream.ReadExactlyAsync(bytes, ct);
        return bytes;
    }
}
