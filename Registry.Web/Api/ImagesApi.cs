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
    public static void MapImagesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/images/{**reference}", async (string reference, string? arch, HttpContext context, ImageService images, IOptions<RegistryOptions> options) =>
        {
            var parsed = ImageRef.Parse(reference, options.Value);
            if (!parsed.Succeeded) return Envelope.Failure(parsed);
            return Envelope.From(await images.ResolveAsync(context.GetActor(), parsed.Value!, arch, requireUploaded: false, context.RequestAborted), ImageJson.From);
        });

        app.MapPost("/v1/images", async (HttpContext context, ImageService images) =>
        {
            var (body, error) = await JsonBody.ReadAsync<CreateImageRequest>(context);
            if (error is not null) return error;
            var created = await images.CreateAsync(context.GetActor(), body!.Container!, body.Hash!, body.Description ?? "", context.RequestAborted);
            return Envelope.From(created, ImageJson.From);
        });

        // The client accepts exactly 200 here (204 is an error).
        app.MapDelete("/v1/images/{**reference}", async (string reference, string? arch, HttpContext context, ImageService images, IOptions<RegistryOptions> options) =>
        {
            var parsed = ImageRef.Parse(reference, options.Value);
            if (!parsed.Succeeded) return Envelope.Failure(parsed);
            return Envelope.From(await images.DeleteAsync(context.GetActor(), parsed.Value!, arch, context.RequestAborted), ImageJson.From);
        });

        app.MapGet("/v1/tags/{containerId}", async (string containerId, HttpContext context, TagService tags) =>
            Envelope.From(await tags.ListAsync(context.GetActor(), containerId, context.RequestAborted), ContainerJson.ImageTagsOf));
        app.MapGet("/v2/tags/{containerId}", async (string containerId, HttpContext context, TagService tags) =>
            Envelope.From(await tags.ListAsync(context.GetActor(), containerId, context.RequestAborted), ContainerJson.ArchTagsOf));
        app.MapPost("/v1/tags/{containerId}", (string containerId, HttpContext context, TagService tags) =>
            SetTagAsync(containerId, context, tags, archAware: false));
        app.MapPost("/v2/tags/{containerId}", (string containerId, HttpContext context, TagService tags) =>
            SetTagAsync(containerId, context, tags, archAware: true));

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
        });
    }

    private static async Task<IResult> SetTagAsync(string containerId, HttpContext context, TagService tags, bool archAware)
    {
        var (body, error) = await JsonBody.ReadAsync<SetTagRequest>(context);
        if (error is not null) return error;
        var result = await tags.SetAsync(context.GetActor(), containerId, archAware ? body!.Arch : null, body!.Tag!, body.ImageID!, context.RequestAborted);
        return archAware ? Envelope.From(result, ContainerJson.ArchTagsOf) : Envelope.From(result, ContainerJson.ImageTagsOf);
    }
}
