using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;

namespace Registry.Core.Images;

/// <summary>Direct downloads from the web UI: the image must be uploaded and its collection visible to the actor.</summary>
public sealed class DownloadService(IDbContextFactory<RegistryDbContext> dbFactory)
{
    /// <summary>The image with its container, collection and entity; invisible images are not found, never forbidden.</summary>
    public async Task<Result<Image>> FindAsync(Actor actor, string imageId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var image = await db.Images.AsNoTracking().Include(i => i.Tags).FirstOrDefaultAsync(i => i.Id == imageId && i.Uploaded, ct);
        if (image is null) return Result.NotFound("image not found");
        var container = await db.Containers.AsNoTracking().WithAccessGraph().FirstAsync(x => x.Id == image.ContainerId, ct);
        if (!AccessRules.For(actor, container.Collection!).CanView) return Result.NotFound("image not found");
        image.Container = container;
        return image;
    }
}
