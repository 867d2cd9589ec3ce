using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Collections;
using Registry.Core.Images;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api;

/// <summary>
/// Singularity-Hub style manifest for <c>pull shub://host/collection/container:tag</c>. Unlike sregistry it carries
/// <c>commit</c> (Apptainer's shub client needs it) and an <c>image</c> URL that serves every image, however it was pushed.
/// See: docs/shub.md.
/// </summary>
public static class ShubApi
{
    public static void MapShubApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/container/{collection}/{**name}", GetShubManifest)
            .Doc("Singularity Hub", "GetShubManifest", "The manifest `pull shub://host/collection/container:tag` reads (not enveloped)");
    }

    private static async Task<IResult> GetShubManifest(string collection, string name, HttpContext context,
        CollectionService collections, ImageService images, SignedUrls urls, IOptions<RegistryOptions> options)
    {
        var spec = name.Split('@')[0]; // a version after '@' is not a separate concept here: tags name versions
        var colon = spec.IndexOf(':');
        var container = colon < 0 ? spec : spec[..colon];
        var tag = colon < 0 ? "latest" : spec[(colon + 1)..];

        var actor = context.GetActor();
        var matches = await collections.FindByNameAsync(actor, collection, context.RequestAborted);
        if (matches.Count == 0) return Envelope.Error(404, $"collection {collection} not found");
        if (matches.Count > 1)
            return Envelope.Error(409, await AmbiguousAsync(actor, matches, container, tag, images, options.Value, context.RequestAborted));

        var reference = ImageRef.Parse($"{matches[0].Entity!.Name}/{collection}/{container}:{tag}", options.Value);
        if (!reference.Succeeded) return Envelope.Failure(reference);
        var image = await images.ResolveAsync(actor, reference.Value!, null, requireUploaded: true, context.RequestAborted);
        if (!image.Succeeded) return Envelope.Failure(image);
        await images.RecordDownloadAsync(image.Value!.Container.Id, context.RequestAborted);
        var i = image.Value;
        return Results.Json(new
        {
            id = i.Id,
            name = $"{collection}/{container}",
            tag,
            version = "sha256." + i.Hash,
            commit = i.Hash,
            image = urls.ForImage(context, i.Id),
            size = i.Size,
            arch = i.Arch,
            collection,
            frozen = i.Tags.Any(t => t.Name == tag && t.Frozen),
        });
    }

    /// <summary>Why shub can't pick a collection, naming only library refs that resolve for the caller.</summary>
    private static async Task<string> AmbiguousAsync(Registry.Core.Access.Actor actor, List<Collection> matches, string container, string tag,
        ImageService images, RegistryOptions options, CancellationToken ct)
    {
        var found = new List<string>();
        foreach (var c in matches)
            if (ImageRef.Parse($"{c.Entity!.Name}/{c.Name}/{container}:{tag}", options) is { Succeeded: true } r
                && (await images.ResolveAsync(actor, r.Value!, null, requireUploaded: true, ct)).Succeeded)
                found.Add($"library://{r.Value}");
        var owners = string.Join(", ", matches.Select(c => c.Entity!.Name));
        return $"several entities ({owners}) have a collection named {matches[0].Name}, and shub:// names no owner; " +
            (found.Count == 0 ? $"none of them has {container}:{tag}" : $"pull {string.Join(" or ", found)}");
    }
}
