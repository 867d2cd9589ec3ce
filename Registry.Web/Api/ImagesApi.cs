using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Images;
using Registry.Core.Search;
using Registry.Core.Tags;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api;

/// <summary>Images, tags and search. See: docs/library-api.md §Images and tags, §Search.</summary>
public static class ImagesApi
{
    // Resolved images are the lookup cache's shared, unchanging objects: each is serialized once while it lives, so the
    // hottest metadata read writes stored bytes (a new object, after any write, gets its own).
    private static readonly ConditionalWeakTable<ResolvedImage, byte[]> Serialized = new();

    public static void MapImagesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/images/{**reference}", GetImage)
            .Doc("Images", "GetImage", "Resolve `entity/collection/container:tag` or `…@sha256.hash` to an image, optionally for one architecture").Returns<ImageJson>();
        app.MapPost("/v1/images", CreateImage)
            .Doc("Images", "CreateImage", "Register an image (by its sha256) in a container before uploading its bytes").Returns<ImageJson>().Body<CreateImageRequest>();
        app.MapDelete("/v1/images/{**reference}", DeleteImage)
            .Doc("Images", "DeleteImage", "Delete an image by reference; the container goes with its last image").Returns<ImageJson>();
        app.MapGet("/v1/tags/{containerId}", GetTagsV1)
            .Doc("Tags", "GetTagsV1", "A container's tags, tag → image id (most recent of any architecture)").Returns<Dictionary<string, string>>();
        app.MapGet("/v2/tags/{containerId}", GetTagsV2)
            .Doc("Tags", "GetTagsV2", "A container's tags per architecture, arch → tag → image id").Returns<Dictionary<string, Dictionary<string, string>>>();
        app.MapPost("/v1/tags/{containerId}", SetTagV1)
            .Doc("Tags", "SetTagV1", "Point a tag at an image").Returns<Dictionary<string, string>>().Body<SetTagRequest>();
        app.MapPost("/v2/tags/{containerId}", SetTagV2)
            .Doc("Tags", "SetTagV2", "Point a tag at an image for one architecture").Returns<Dictionary<string, Dictionary<string, string>>>().Body<SetTagRequest>();
        app.MapGet("/v1/search", Search)
            .Doc("Search", "Search", "Entities, collections, containers (as GetContainer shows them) and uploaded images matching `value`; with `arch` or `signed`, only the images that match those");
    }

    private static async Task<IResult> GetImage(string reference, string? arch, HttpContext context, ImageService images, IOptions<RegistryOptions> options)
    {
        var parsed = ImageRef.Parse(reference, options.Value);
        if (!parsed.Succeeded) return Envelope.Failure(parsed);
        var resolved = await images.ResolveAsync(context.GetActor(), parsed.Value!, arch, requireUploaded: false, context.RequestAborted);
        if (!resolved.Succeeded) return Envelope.Failure(resolved);
        return Results.Bytes(Serialized.GetValue(resolved.Value!, static i => JsonSerializer.SerializeToUtf8Bytes(new { data = ImageJson.From(i) }, Envelope.Json)),
            "application/json; charset=utf-8");
    }

    private static async Task<IResult> CreateImage(Validated<CreateImageRequest> body, HttpContext context, ImageService images)
    {
        var request = body.Value;
        var created = await images.CreateAsync(context.GetActor(), request.Container!, request.Hash!, request.Description ?? "", context.RequestAborted);
        return Envelope.From(created, ImageJson.From);
    }

    // The client accepts exactly 200 here (204 is an error).
    private static async Task<IResult> DeleteImage(string reference, string? arch, HttpContext context, ImageService images, IOptions<RegistryOptions> options)
    {
        var parsed = ImageRef.Parse(reference, options.Value);
        if (!parsed.Succeeded) return Envelope.Failure(parsed);
        return Envelope.From(await images.DeleteAsync(context.GetActor(), parsed.Value!, arch, context.RequestAborted), (ResolvedImage i) => ImageJson.From(i));
    }

    private static async Task<IResult> GetTagsV1(string containerId, HttpContext context, TagService tags) =>
        Envelope.From(await tags.ListAsync(context.GetActor(), containerId, context.RequestAborted), ContainerJson.ImageTagsOf);

    private static async Task<IResult> GetTagsV2(string containerId, HttpContext context, TagService tags) =>
        Envelope.From(await tags.ListAsync(context.GetActor(), containerId, context.RequestAborted), ContainerJson.ArchTagsOf);

    private static async Task<IResult> SetTagV1(string containerId, Validated<SetTagRequest> body, HttpContext context, TagService tags) =>
        Envelope.From(await SetTagAsync(containerId, body.Value, null, context, tags), ContainerJson.ImageTagsOf);

    private static async Task<IResult> SetTagV2(string containerId, Validated<SetTagRequest> body, HttpContext context, TagService tags) =>
        Envelope.From(await SetTagAsync(containerId, body.Value, body.Value.Arch, context, tags), ContainerJson.ArchTagsOf);

    private static Task<Result<List<Tag>>> SetTagAsync(string containerId, SetTagRequest request, string? arch, HttpContext context, TagService tags) =>
        tags.SetAsync(context.GetActor(), containerId, arch, request.Tag!, request.ImageID!, context.RequestAborted);

    /// <summary>Cached per URL and view until the next write (<see cref="CatalogueCache"/>): a common word costs its page of rows once.</summary>
    private static Task<IResult> Search(string? value, string? arch, string? signed, HttpContext context, SearchService search, CatalogueCache cache)
    {
        var arches = (arch ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return cache.AnswerAsync(context, () => search.SearchAsync(context.GetActor(), value, arches, signed == "true", context.RequestAborted), r => new
        {
            entity = r.Entities.Select(EntityJson.From),
            collection = r.Collections.Select(CollectionJson.From),
            container = r.Containers.Select(ContainerJson.From),
            image = r.Images.Select(ImageJson.From),
        });
    }
}
