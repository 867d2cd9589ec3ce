using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Images;

namespace Registry.Core.Sregistry;

/// <summary>
/// <c>sregistry delete collection/container:tag</c>: removes that tag; when it is the image's last, the image goes the way
/// every other delete takes (<see cref="ImageService.DeleteAsync"/>: container with its last image, blob when unused).
/// Unlike sregistry, the signature alone is not enough: the caller must be allowed to push there.
/// </summary>
public sealed class SregistryDelete(IDbContextFactory<RegistryDbContext> dbFactory, CollectionService collections, ImageService images,
    IOptions<RegistryOptions> options)
{
    public async Task<Result<bool>> DeleteAsync(Actor actor, string collection, string container, string tag, CancellationToken ct = default)
    {
        if (!actor.IsAuthenticated) return Result.Unauthorized("a delete signature is required");
        if (SregistryNames.Problem(collection, container, tag) is { } problem) return Result.Invalid(problem);
        var found = SregistryNames.Single(await collections.FindByNameAsync(actor, collection, ct), collection, container, tag);
        if (!found.Succeeded) return found.As<bool>();
        var c = found.Value!;
        var reference = ImageRef.Parse($"{c.Entity!.Name}/{c.Name}/{container}:{tag}", options.Value);
        if (!reference.Succeeded) return reference.As<bool>();
        var image = await images.ResolveAsync(actor, reference.Value!, null, requireUploaded: false, ct);
        if (!image.Succeeded) return Result.NotFound("Container Not Found");
        if (!AccessRules.For(actor, c).CanPush)
            return Result.Forbidden(AccessRules.TokenLimit(actor, c) ?? $"{actor.UserName} may not delete in {c.Entity.Name}/{c.Name}");
        var tags = image.Value!.Tags.Where(t => t.Name == tag).ToList();
        if (tags.Any(t => t.Frozen)) return Result.Forbidden($"{collection}/{container}:{tag} is frozen: unfreeze it first");

        // Other tags keep the image: only this tag's rows go.
        if (image.Value.Tags.Any(t => t.Name != tag))
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var imageId = image.Value.Id;
            await db.Tags.Where(t => t.ImageId == imageId && t.Name == tag && !t.Frozen).ExecuteDeleteAsync(ct);
            AuditLog.Record(db, actor, "tag.delete", reference.Value!.ToString(), c.Id, $"sha256.{image.Value.Hash} (sregistry)");
            await db.SaveChangesAsync(ct);
            return true;
        }
        var deleted = await images.DeleteAsync(actor, reference.Value!, null, ct);
        return deleted.Succeeded ? true : deleted.As<bool>();
    }
}
