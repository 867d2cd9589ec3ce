using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Images;

namespace Registry.Core.Uploads;

/// <summary>Who may upload an image's bytes: checked when a session starts and again when it completes.</summary>
internal static class PushAccess
{
    public static async Task<Result<Image>> FindPushableImageAsync(RegistryDbContext db, Actor actor, string imageId, CancellationToken ct)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("a token is required to push");
        var image = await db.Images.Include(i => i.Container).ThenInclude(x => x!.Collection).ThenInclude(c => c!.Members)
            .Include(i => i.Container).ThenInclude(x => x!.Collection).ThenInclude(c => c!.Entity).ThenInclude(e => e!.Team).ThenInclude(t => t!.Members)
            .FirstOrDefaultAsync(i => i.Id == imageId, ct);
        var access = image is null ? CollectionAccess.None : AccessRules.For(actor, image.Container!.Collection!);
        if (!access.CanView) return Result.NotFound($"image {imageId} not found");
        if (!access.CanPush) return Result.Forbidden(AccessRules.TokenLimit(actor, image!.Container!.Collection!) ?? $"{actor.UserName} may not push to {image!.Container!.Collection!.Entity!.Name}/{image.Container.Collection.Name}");
        return image!;
    }
}
