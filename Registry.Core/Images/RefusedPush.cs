using Microsoft.EntityFrameworkCore;
using Registry.Core.Data;
using Registry.Core.Uploads;

namespace Registry.Core.Images;

/// <summary>
/// What a push refused at publish leaves behind (issue 15: "nothing of it is kept"). The client registered an image row
/// (<c>POST /v1/images</c>) and perhaps a container (<c>POST /v1/containers</c>) before sending the bytes; both go again
/// when nothing else holds them. The staged bytes are the caller's to discard, before this.
/// </summary>
public sealed class RefusedPush(IDbContextFactory<RegistryDbContext> dbFactory, WriteGeneration writes, TimeProvider clock)
{
    /// <summary>
    /// Removes image <paramref name="imageId"/> if it was never uploaded, has no tag and no other live upload session (a
    /// concurrent push of the same bytes finishes, and cleans up, on its own), then its container if it was created for a
    /// push, never had an image published and holds no other image row. Each is one statement, so a concurrent push that
    /// has registered its image in the same container keeps it: the statement sees that row or runs before it exists.
    /// </summary>
    public async Task ForgetAsync(string imageId)
    {
        // Not cancellable: the client may be gone by now, and what it left must go all the same.
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        var containerId = await db.Images.Where(i => i.Id == imageId).Select(i => i.ContainerId).FirstOrDefaultAsync();
        if (containerId is null) return;
        var now = clock.GetUtcNow().UtcDateTime;
        var images = await db.Images.Where(i => i.Id == imageId && !i.Uploaded && !db.Tags.Any(t => t.ImageId == i.Id)
                && !db.UploadSessions.Any(s => s.ImageId == i.Id && s.ExpiresAt > now
                    && (s.State == UploadState.Open || s.State == UploadState.Received || s.State == UploadState.Completing)))
            .ExecuteDeleteAsync();
        var containers = images == 0 ? 0 : await db.Containers
            .Where(c => c.Id == containerId && c.AwaitingFirstImage && !db.Images.Any(i => i.ContainerId == c.Id))
            .ExecuteDeleteAsync();
        if (images + containers > 0) writes.Bump(); // raw deletes: the lookup cache must not answer with these rows
    }
}
