using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Registry.Core;
using Registry.Core.Images;
using Registry.Core.Storage;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api;

/// <summary>
/// Pulling bytes. <c>GET /v1/imagefile/…</c> answers 303 (never 302: gen-A clients fail on it) to a signed, expiring URL that
/// supports HEAD, Range and ETag, so the client's concurrent ranged download works. See: docs/library-api.md §Pull.
/// </summary>
public static class DownloadsApi
{
    public static void MapDownloadsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/imagefile/{**reference}", DownloadImage)
            .Doc("Downloads", "DownloadImage", "Pull an image: 303 to a signed, expiring URL of its bytes");
        app.MapMethods("/v1/imagefile-blob/{imageId}", ["GET", "HEAD"], GetImageBlob)
            .Doc("Downloads", "GetImageBlob", "The image bytes behind a signed URL; supports HEAD, Range and ETag");
    }

    private static async Task<IResult> DownloadImage(string reference, string? arch, HttpContext context, ImageService images, DownloadCounts downloads, SignedUrls urls, IOptions<RegistryOptions> options)
    {
        var parsed = ImageRef.Parse(reference, options.Value);
        if (!parsed.Succeeded) return Envelope.Failure(parsed);
        var image = await images.ResolveAsync(context.GetActor(), parsed.Value!, arch, requireUploaded: true, context.RequestAborted);
        if (!image.Succeeded) return Envelope.Failure(image);
        downloads.Record(image.Value!.Container.Id);
        context.Response.Headers.Location = urls.ForImage(context, image.Value.Id);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static async Task<IResult> GetImageBlob(string imageId, long? exp, string? sig, HttpContext context, ImageService images, IBlobStore blobs, SignedUrls urls)
    {
        if (exp is null || !urls.IsValid(imageId, exp.Value, sig)) return Envelope.Error(403, "this download URL is invalid or has expired; pull again");
        var image = await images.FindUploadedAsync(imageId, context.RequestAborted);
        if (image is null || !blobs.Exists(new Digest(image.Hash))) return Envelope.Error(404, "image not found");
        return ServeBlob(context, blobs.PathOf(new Digest(image.Hash)), image.Size, image.Hash, $"{image.Id}.sif");
    }

    /// <summary>Zero-copy file response with ranges; an unsatisfiable range gets the JSON envelope instead of an empty 416.</summary>
    internal static IResult ServeBlob(HttpContext context, string path, long size, string hash, string downloadName)
    {
        if (RangeHeaderValue.TryParse(context.Request.Headers.Range.ToString(), out var range) && range.Unit == "bytes" && range.Ranges.Count == 1)
        {
            var r = range.Ranges.First();
            var unsatisfiable = (r.From is { } from && from >= size) || (r.From is null && r.To == 0) || (r.From > r.To);
            if (unsatisfiable)
            {
                context.Response.Headers.ContentRange = $"bytes */{size}";
                return Envelope.Error(StatusCodes.Status416RangeNotSatisfiable, $"range {context.Request.Headers.Range} is outside the image's {size} bytes");
            }
        }
        LargeChunkSendFile.Use(context);
        return Results.File(path, "application/octet-stream", fileDownloadName: null,
            entityTag: new EntityTagHeaderValue($"\"{hash}\""), enableRangeProcessing: true);
    }
}
