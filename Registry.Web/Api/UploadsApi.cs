using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Uploads;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api;

/// <summary>
/// Pushing bytes: v2 single, v2 multipart and legacy v1 uploads. JSON requests arrive validated by the route group's
/// filter (<see cref="Validated{T}"/>); image bytes go to Core as the request body stream. See: docs/uploads.md.
/// </summary>
public static class UploadsApi
{
    public static void MapUploadsApi(this IEndpointRouteBuilder app, bool multipartEnabled)
    {
        app.MapPost("/v2/imagefile/{imageId}", StartUpload)
            .Doc("Uploads", "StartUpload", "Start a single-part upload: answers a one-time upload URL").Body<StartUploadRequest>();
        // The presigned target: no token arrives here, the URL itself is the capability. Must answer exactly 200.
        app.MapPut("/v2/imagefile/_upload/{sessionId}/{part:int}/{secret}", PutUploadPart).AllowAnonymous().StreamsBody()
            .Doc("Uploads", "PutUploadPart", "The presigned upload target: the raw image bytes (or one part); the URL is the credential");
        app.MapPut("/v2/imagefile/{imageId}/_complete", CompleteUpload)
            .Doc("Uploads", "CompleteUpload", "Finish a single-part upload: verifies size and sha256, answers quota and container URL");
        if (multipartEnabled)
            app.MapPost("/v2/imagefile/{imageId}/_multipart", StartMultipartUpload)
                .Doc("Uploads", "StartMultipartUpload", "Start a multipart upload: answers the upload id, part size and part count").Body<StartMultipartRequest>();
        app.MapPut("/v2/imagefile/{imageId}/_multipart", PresignUploadPart)
            .Doc("Uploads", "PresignUploadPart", "A one-time URL for one part of a multipart upload").Body<UploadPartRequest>();
        app.MapPut("/v2/imagefile/{imageId}/_multipart_complete", CompleteMultipartUpload)
            .Doc("Uploads", "CompleteMultipartUpload", "Assemble and verify the parts of a multipart upload").Body<CompleteMultipartRequest>();
        app.MapPut("/v2/imagefile/{imageId}/_multipart_abort", AbortMultipartUpload)
            .Doc("Uploads", "AbortMultipartUpload", "Abandon a multipart upload and free its parts").Body<AbortMultipartRequest>();
        app.MapPost("/v1/imagefile/{imageId}", UploadImageV1).StreamsBody()
            .Doc("Uploads", "UploadImageV1", "Legacy upload: the whole image as the request body").Body<Stream>("application/octet-stream");
    }

    private static async Task<IResult> StartUpload(string imageId, Validated<StartUploadRequest> request, HttpContext context, UploadService uploads)
    {
        var body = request.Value;
        var ticket = await uploads.StartAsync(context.GetActor(), imageId, UploadKind.Single, body.Filesize, body.Sha256sum, context.RequestAborted);
        return Envelope.From(ticket, t => new { uploadURL = $"{context.BaseUrl()}/v2/imagefile/_upload/{t.SessionId}/0/{t.Secret}" });
    }

    private static async Task<IResult> PutUploadPart(string sessionId, int part, string secret, HttpContext context, UploadReceiver uploads)
    {
        var received = await uploads.ReceiveAsync(sessionId, part, secret, context.Request.Body, context.Request.ContentLength, context.RequestAborted);
        if (!received.Succeeded) return Envelope.Failure(received);
        context.Response.Headers.ETag = received.Value;
        return Results.Ok();
    }

    private static async Task<IResult> CompleteUpload(string imageId, HttpContext context, UploadCompleter uploads) =>
        Completion(await uploads.CompleteAsync(context.GetActor(), imageId, null, context.RequestAborted));

    private static async Task<IResult> StartMultipartUpload(string imageId, Validated<StartMultipartRequest> request, HttpContext context,
        UploadService uploads, IOptions<RegistryOptions> options)
    {
        var ticket = await uploads.StartAsync(context.GetActor(), imageId, UploadKind.Multipart, request.Value.Filesize, null, context.RequestAborted);
        // s3compliant "false": the client sends parts without hashing each first, and the server hashes every byte once
        // (into the whole-file hash checked at completion). "true": both also hash and check every part.
        var s3compliant = options.Value.PartChecksums ? "true" : "false";
        return Envelope.From(ticket, t => new { uploadID = t.SessionId, totalParts = t.TotalParts, partSize = t.PartSize, options = new { s3compliant } });
    }

    private static async Task<IResult> PresignUploadPart(string imageId, Validated<UploadPartRequest> request, HttpContext context, UploadService uploads)
    {
        var body = request.Value;
        var ticket = await uploads.PresignPartAsync(context.GetActor(), imageId, body.UploadID!, body.PartNumber, body.PartSize, body.Sha256sum, context.RequestAborted);
        return Envelope.From(ticket, t => new { presignedURL = $"{context.BaseUrl()}/v2/imagefile/_upload/{t.SessionId}/{t.PartNumber}/{t.Secret}" });
    }

    private static async Task<IResult> CompleteMultipartUpload(string imageId, Validated<CompleteMultipartRequest> request, HttpContext context,
        UploadCompleter uploads) =>
        Completion(await uploads.CompleteAsync(context.GetActor(), imageId, request.Value.UploadID, context.RequestAborted));

    private static async Task<IResult> AbortMultipartUpload(string imageId, Validated<AbortMultipartRequest> request, HttpContext context,
        UploadService uploads) =>
        Envelope.From(await uploads.AbortAsync(context.GetActor(), imageId, request.Value.UploadID!, context.RequestAborted), _ => new { });

    private static async Task<IResult> UploadImageV1(string imageId, HttpContext context, UploadService uploads) =>
        Completion(await uploads.UploadWholeAsync(context.GetActor(), imageId, context.Request.Body, context.Request.ContentLength, context.RequestAborted));

    /// <summary>The client prints "Library storage: using X out of Y" and the container URL from this body.</summary>
    private static IResult Completion(Result<UploadCompletion> result) =>
        Envelope.From(result, c => new { quota = new { quotaTotal = c.QuotaTotal, quotaUsage = c.QuotaUsage }, containerUrl = c.ContainerPath });
}
