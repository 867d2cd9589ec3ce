using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Collections;
using Registry.Core.Images;
using Registry.Web.Api.Authentication;
using Registry.Web.Api.Sregistry;

namespace Registry.Web.Api;

/// <summary>
/// Singularity-Hub style manifest for <c>pull shub://host/collection/container:tag</c> and <c>sregistry pull</c>. Unlike
/// sregistry it carries <c>commit</c> (Apptainer's shub client needs it) and an <c>image</c> URL that serves every image,
/// however it was pushed; <c>name</c> is the container alone, as sregistry-cli files its download by it.
/// An anonymous caller gets 401 for a collection it cannot see (private or missing alike, so nothing private shows), and
/// sregistry-cli then retries with a pull signature. See: docs/shub.md.
/// </summary>
public static class ShubApi
{
    public static void MapShubApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/container/{collection}/{**name}", GetShubManifest).Doc("Singularity Hub", "GetShubManifest",
            "The manifest `pull shub://host/collection/container:tag` and `sregistry pull` read (not enveloped); a pull signature or token for private collections");
    }

    private static async Task<IResult> GetShubManifest(string collection, string name, HttpContext context,
        CollectionService collections, ImageService images, DownloadCounts downloads, SignedUrls urls, IOptions<RegistryOptions> options)
    {
        var (container, tag) = SregistryRoutes.SplitTag(name);
        collection = collection.ToLowerInvariant();
        var actor = context.GetActor();
        var owners = await collections.OwnersOfAsync(actor, collection);
        if (owners.Count == 0)
            return actor.IsAuthenticated ? Error(404, $"collection {collection} not found")
                : Error(401, $"collection {collection} not found, or private: sign the request (sregistry-cli) or send a token to see private collections");
        if (owners.Count > 1)
            return Error(409, await AmbiguousAsync(actor, owners, collection, container, tag, images, options.Value, context.RequestAborted));

        var reference = ImageRef.Parse($"{owners[0]}/{collection}/{container}:{tag}", options.Value);
        if (!reference.Succeeded) return Error(Envelope.StatusOf(reference.Outcome), reference.Message);
        var image = await images.ResolveAsync(actor, reference.Value!, null, requireUploaded: true, context.RequestAborted);
        if (!image.Succeeded) return Error(Envelope.StatusOf(image.Outcome), image.Message);
        downloads.Record(image.Value!.Container.Id);
        var i = image.Value;
        return Results.Json(new
        {
            id = i.Id,
            name = container,
            tag,
            version = "sha256." + i.Hash,
            commit = i.Hash,
            image = urls.ForImage(context, i.Id),
            size = i.Size,
            arch = i.Arch,
            collection,
            frozen = i.Tags.Any(t => t.Name == tag && t.Frozen),
            signed = i.Signed == true, // only a signature verified against this registry's keyserver
            fingerprints = i.SignedBy.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        });
    }

    /// <summary>Why shub can't pick a collection, naming only library refs that resolve for the caller.</summary>
    private static async Task<string> AmbiguousAsync(Registry.Core.Access.Actor actor, IReadOnlyList<string> owners, string collection,
        string container, string tag, ImageService images, RegistryOptions options, CancellationToken ct)
    {
        var found = new List<string>();
        foreach (var owner in owners)
            if (ImageRef.Parse($"{owner}/{collection}/{container}:{tag}", options) is { Succeeded: true } r
                && (await images.ResolveAsync(actor, r.Value!, null, requireUploaded: true, ct)).Succeeded)
                found.Add($"library://{r.Value}");
        return $"several entities ({string.Join(", ", owners)}) have a collection named {collection}, and shub:// names no owner; " +
            (found.Count == 0 ? $"none of them has {container}:{tag}" : $"pull {string.Join(" or ", found)}");
    }

    /// <summary>sregistry's <c>detail</c>, with the Library envelope's <c>error</c> kept for callers that read that.</summary>
    private static IResult Error(int status, string message) =>
        Results.Json(new { detail = message, error = new { code = status, message } }, Envelope.Json, statusCode: status);
}
