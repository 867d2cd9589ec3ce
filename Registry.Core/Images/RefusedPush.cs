using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Registry.Core.Data;
using Registry.Core.Uploads;

namespace Registry.Core.Images;

/// <summary>
/// What a push refused at publish leaves behind (issue 15: "nothing of it is kept"). The client registered an image row
/// (<c>POST /v1/images</c>) and perhaps a container (<c>POST /v1/containers</c>) before sending the bytes; both go again
/// when nothing else holds them. The staged bytes are the caller's to discard, before this.
/// </summary>
public sealed class RefusedPush(IDbContextFactory<RegistryDbContext> dbFactory, WriteGeneration writes, TimeProvider clock, ILogger<RefusedPush> log)
{
    /// <summary>
    /// How long an emptied container waits before it goes: a concurrent push into it may have looked it up and not yet
    /// registered its image (the client's next request, <c>POST /v1/images</c>, names the container by id).
    /// </summary>
    public static readonly TimeSpan ContainerGrace = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Removes image <paramref name="imageId"/> now if it was never uploaded, has no tag and no other live upload session (a
    /// concurrent push of the same bytes finishes, and cleans up, on its own); then, after <see cref="ContainerGrace"/>, its
    /// container if it was created for a push, never had an image published and holds no image row. Each removal is one
    /// statement, so a concurrent push that has registered its image in the container keeps it.
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
        if (images == 0) return;
        writes.Bump(); // raw deletes: the lookup cache must not answer with these rows
        _ = ForgetContainerLaterAsync(containerId);
    }

    private async Task ForgetContainerLaterAsync(string containerId)
    {
        try
        {
            await Task.Delay(ContainerGrace, clock);
            await using var db = await dbFactory.CreateDbContextAsync();
            var removed = await db.Containers
                .Where(c => c.Id == containerId && c.AwaitingFirstImage && !db.Images.Any(i => i.ContainerId == c.Id)
                    && !db.OciManifests.Any(m => m.ContainerId == c.Id)) // container images pushed through /v2/ hold it too
                .ExecuteDeleteAsync();
            if (removed > 0) writes.Bump();
        }
        catch (Exception e)
        {
            // An empty container left behind is harmless (deletable, and the next push into it uses it).
            log.LogWarning(e, "removing the empty container {ContainerId} of a refused push failed", containerId);
        }
    }
}
