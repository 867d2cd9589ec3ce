using System.Security;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Images;
using Registry.Core.Storage;
using Registry.Web.Components.Shared;

namespace Registry.Web.Components.Pages.Containers;

/// <summary>Browser downloads of image files and collection badges, authorised by the sign-in cookie.</summary>
public static class DownloadEndpoint
{
    public static IEndpointRouteBuilder MapImageDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/download/{imageId}", DownloadAsync).ExcludeFromDescription();
        app.MapGet("/{entity}/{collection}/badge.svg", BadgeAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> DownloadAsync(string imageId, HttpContext context, DownloadService downloads, DownloadCounts counts, IBlobStore blobs)
    {
        var found = await downloads.FindAsync(context.User.ToActor(), imageId, context.RequestAborted);
        if (!found.Succeeded) return Results.NotFound();
        var image = found.Value!;
        var digest = new Digest(image.Hash);
        if (!blobs.Exists(digest)) return Results.NotFound();
        // A range request resuming a download is not a new pull.
        if (!context.Request.Headers.ContainsKey("Range")) counts.Record(image.ContainerId);
        var tag = image.Tags.OrderByDescending(t => t.UpdatedAt).FirstOrDefault()?.Name ?? image.Hash[..12];
        var name = $"{image.Container!.Name}_{tag}{(image.Arch is null ? "" : "_" + image.Arch)}.sif";
        return Results.File(blobs.PathOf(digest), "application/octet-stream", name, enableRangeProcessing: true);
    }

    private static async Task<IResult> BadgeAsync(string entity, string collection, HttpContext context, CollectionService collections)
    {
        var found = await collections.FindAsync(context.User.ToActor(), entity, collection, context.RequestAborted);
        if (!found.Succeeded) return Results.NotFound();
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Text(Badge("apptainer", $"{entity}/{collection}"), "image/svg+xml; charset=utf-8");
    }

    /// <summary>A flat two-part badge; widths estimated at 7 px per character (Verdana 11 px).</summary>
    public static string Badge(string label, string message)
    {
        int left = 10 + label.Length * 7, right = 10 + message.Length * 7, width = left + right;
        var l = SecurityElement.Escape(label);
        var m = SecurityElement.Escape(message);
        return $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{l}: {m}">
              <title>{l}: {m}</title>
              <rect width="{left}" height="20" fill="#555"/>
              <rect x="{left}" width="{right}" height="20" fill="#1b5e9a"/>
              <g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
                <text x="{left / 2}" y="14">{l}</text>
                <text x="{left + right / 2}" y="14">{m}</text>
              </g>
            </svg>
            """;
    }
}
