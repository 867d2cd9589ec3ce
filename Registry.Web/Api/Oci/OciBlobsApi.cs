using Microsoft.Net.Http.Headers;
using Registry.Core.Oci;
using Registry.Core.Storage;

namespace Registry.Web.Api.Oci;

/// <summary>
/// <c>GET</c>/<c>HEAD</c>/<c>DELETE /v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>. Bytes are sent from the stored file (zero copy,
/// Range supported). See: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-blobs
/// </summary>
public static class OciBlobsApi
{
    public static async Task<IResult> GetAsync(HttpContext context, OciBlobs blobs)
    {
        var request = context.Request();
        OciRefs.TryParseDigest(request.Digest, out var digest);
        var found = await blobs.FindAsync(OciCaller.ActorOf(context), request.Repository, digest, context.RequestAborted);
        if (!found.Succeeded) return OciErrors.From(context, found, OciErrors.BlobUnknown, OciErrors.DigestInvalid, PullScope(request));
        var blob = found.Value!;
        context.Response.Headers["Docker-Content-Digest"] = digest.Oci();
        var tag = new EntityTagHeaderValue($"\"{digest.Oci()}\"");
        if (blobs.PathOf(blob) is not { } path)
            return Results.Bytes(SifManifest.EmptyConfig, "application/octet-stream", entityTag: tag, enableRangeProcessing: true);
        if (Unsatisfiable(context, blob.Length) is { } refused) return refused;
        LargeChunkSendFile.Use(context);
        return Results.File(path, "application/octet-stream", entityTag: tag, enableRangeProcessing: true);
    }

    public static async Task<IResult> DeleteAsync(HttpContext context, OciBlobs blobs)
    {
        var request = context.Request();
        OciRefs.TryParseDigest(request.Digest, out var digest);
        var deleted = await blobs.DeleteAsync(OciCaller.ActorOf(context), request.Repository, digest, context.RequestAborted);
        return deleted.Succeeded ? Results.StatusCode(202) : OciErrors.From(context, deleted, OciErrors.BlobUnknown, OciErrors.DigestInvalid);
    }

    internal static string PullScope(OciRequest request) => $"repository:{request.Repository}:pull";

    /// <summary>A range past the end is a 416 with <c>Content-Range: bytes */size</c> and an OCI error body.</summary>
    private static IResult? Unsatisfiable(HttpContext context, long size)
    {
        if (!RangeHeaderValue.TryParse(context.Request.Headers.Range.ToString(), out var range) || range.Unit != "bytes" || range.Ranges.Count != 1) return null;
        var r = range.Ranges.First();
        if (!((r.From is { } from && from >= size) || (r.From is null && r.To == 0) || r.From > r.To)) return null;
        context.Response.Headers.ContentRange = $"bytes */{size}";
        return OciErrors.Error(416, OciErrors.BlobUnknown, $"range {context.Request.Headers.Range} is outside the blob's {size} bytes");
    }
}
