using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Images;
using Registry.Core.Search;
using Registry.Core.Tags;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api;

/// <summary>Images, tags and search. See: LIBRARY-API.md §6.4, §8.</summary>
public static class ImagesApi
{
    // Resolved images are the lookup cache's shared, unchanging objects: each is serialized once while it lives, so the
    // hottest metadata read writes stored bytes (a new object, after any write, gets its own).
    private static readonly ConditionalWeakTable<Image, byte[]> Serialized = new();

    public static void MapImagesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/images/{**reference}", async (string reference, string? arch, HttpContext context, ImageService images, IOptions<RegistryOptions> options) =>
        {
            var parsed = ImageRef.Parse(reference, options.Value);
            if (!parsed.Succeeded) return Envelope.Failure(parsed);
            var resolved = await images.ResolveAsync(context.GetActor(), parsed.Value!, arch, requireUploaded: false, context.RequestAborted);
            if (!resolved.Succeeded) return Envelope.Failure(resolved);
            return Results.Bytes(Serialized.GetValue(resolved.Value!, static i => JsonSerializer.SerializeToUtf8Bytes(new { data = ImageJson.From(i) }, Envelope.Json)),
                "application/json; charset=utf-8");
        }).Doc("Images", "GetImage", "Resolve `entity/collection/container:tag` or `…@sha256.hash` to an image, optionally for one architecture").Returns<ImageJson>();

        app.MapPost("/v1/images", async (HttpContext context, ImageService images) =>
        {
            var (body, error) = await JsonBody.ReadAsync<CreateImageRequest>(context);
            if (error is not null) return error;
            var created = await images.CreateAsync(context.GetActor(), body!.Container!, body.Hash!, body.Description ?? "", context.RequestAborted);
            return Envelope.From(created, ImageJson.From);
        }).Doc("Images", "CreateImage", "Register an image (by its sha256) in a container before uploading its bytes").Returns<ImageJson>().Body<CreateImageRequest>();

        // The client accepts exactly 200 here (204 is an error).
        app.MapDelete("/v1/images/{**reference}", async (string reference, string? arch, HttpContext context, ImageService images, IOptions<RegistryOptions> options) =>
        {
            var parsed = ImageRef.Parse(reference, options.Value);
            if (!parsed.Succeeded) return Envelope.Failure(parsed);
            return Envelope.From(await images.DeleteAsync(context.GetActor(), parsed.Value!, arch, context.RequestAborted), ImageJson.From);
        }).Doc("Images", "DeleteImage", "Delete an image by reference; the container goes with its last image").Returns<ImageJson>();

        app.MapGet("/v1/tags/{containerId}", async (string containerId, HttpContext context, TagService tags) =>
            Envelope.From(await tags.ListAsync(context.GetActor(), containerId, context.RequestAborted), ContainerJson.ImageTagsOf))
            .Doc("Tags", "GetTagsV1", "A container's tags, tag → image id (most recent of any architecture)").Returns<Dictionary<string, string>>();
        app.MapGet("/v2/tags/{containerId}", async (string containerId, HttpContext context, TagService tags) =>
            Envelope.From(await tags.ListAsync(context.GetActor(), containerId, context.RequestAborted), ContainerJson.ArchTagsOf))
            .Doc("Tags", "GetTagsV2", "A container's tags per architecture, arch → tag → image id").Returns<Dictionary<string, Dictionary<string, string>>>();
        app.MapPost("/v1/tags/{containerId}", (string containerId, HttpContext context, TagService tags) =>
            SetTagAsync(containerId, context, tags, archAware: false))
            .Doc("Tags", "SetTagV1", "Point a tag at an image").Returns<Dictionary<string, string>>().Body<SetTagRequest>();
        app.MapPost("/v2/tags/{containerId}", (string containerId, HttpContext context, TagService tags) =>
            SetTagAsync(containerId, context, tags, archAware: true))
            .Doc("Tags", "SetTagV2", "Point a tag at an image for one architecture").Returns<Dictionary<string, Dictionary<string, string>>>().Body<SetTagRequest>();

        app.MapGet("/v1/search", async (string? value, string? arch, string? signed, HttpContext context, SearchService search) =>
        {
            var arches = (arch ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var found = await search.SearchAsync(context.GetActor(), value, arches, signed == "true", context.RequestAborted);
            return Envelope.From(found, r => new
            {
                entity = r.Entities.Select(EntityJson.From),
                collection = r.Collections.Select(CollectionJson.From),
                container = r.Containers.Select(ContainerJson.From),
                image = r.Images.Select(ImageJson.From),
            });
        }).Doc("Search", "Search", "Entities, collections, containers (as GetContainer shows them) and uploaded images matching `value`; with `arch` or `signed`, only the images that match those");
    }

    private static async Task<IResult> SetTagAsync(string containerId, HttpContext context, TagService tags, bool archAware)
    {
        var (body, error) = await JsonBody.ReadAsync<SetTagRequest>(context);
        if (error is not null) return error;
        var result = await tags.SetAsync(context.GetActor(), containerId, archAware ? body!.Arch : null, body!.Tag!, body.ImageID!, context.RequestAborted);
        return archAware ? Envelope.From(result, ContainerJson.ArchTagsOf) : Envelope.From(result, ContainerJson.ImageTagsOf);
    }
}
