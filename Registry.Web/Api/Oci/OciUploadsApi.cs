using System.Text.RegularExpressions;
using Registry.Core;
using Registry.Core.Oci;
using Registry.Core.Storage;

namespace Registry.Web.Api.Oci;

/// <summary>
/// Blob uploads: <c>POST</c> starts a session (or, with <c>?digest=</c>, uploads whole), <c>PATCH</c> appends (one streamed
/// body as apptainer and skopeo send it, or chunks with <c>Content-Range</c>, 416 when out of order), <c>PUT ?digest=</c>
/// commits, <c>GET</c> tells the length, <c>DELETE</c> drops it. Bodies stream to the staged file in constant memory.
/// See: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-blobs
/// </summary>
public static partial class OciUploadsApi
{
    [GeneratedRegex("^(?:bytes[ =])?([0-9]{1,19})-([0-9]{1,19})$", RegexOptions.CultureInvariant)]
    private static partial Regex ContentRange();

    public static async Task<IResult> StartAsync(HttpContext context, OciUploads uploads, OciSessions sessions)
    {
        var (request, actor) = (context.Request(), OciCaller.ActorOf(context));
        if (await MountedAsync(context, uploads) is { } mounted) return mounted;
        var started = await uploads.StartAsync(actor, request.Repository, context.RequestAborted);
        if (!started.Succeeded) return OciErrors.From(context, started, OciErrors.NameUnknown, OciErrors.UploadInvalid);
        if (OciRefs.TryParseDigest(request.UploadDigest, out var digest)) // monolithic: the body is the whole blob
            return await FinishAsync(context, uploads, started.Value!.StagingId, digest, context.Request.Body);
        return Accepted(context, 202, sessions.Issue(started.Value!.StagingId, request.Repository, actor.UserId ?? ""), 0);
    }

    /// <summary>
    /// <c>POST ?mount=&lt;digest&gt;&amp;from=&lt;repo&gt;</c>: 201 when the token also grants pull on the source and the
    /// caller may read it there; anything else falls through to an ordinary session (202), as the spec allows.
    /// </summary>
    private static async Task<IResult?> MountedAsync(HttpContext context, OciUploads uploads)
    {
        var query = context.Request.Query;
        if (!OciRefs.TryParseDigest(query["mount"].FirstOrDefault(), out var digest)) return null;
        var names = (query["from"].FirstOrDefault() ?? "").Split('/');
        if (names.Length != 3 || OciRepository.Parse(names[0], names[1], names[2]) is not { } from) return null;
        if (OciCaller.Of(context).Grant?.Allows(from.ToString(), "pull") != true) return null;
        var request = context.Request();
        if (!await uploads.MountAsync(OciCaller.ActorOf(context), request.Repository, from, digest, context.RequestAborted)) return null;
        context.Response.Headers.Location = $"/v2/{request.Repository}/blobs/{digest.Oci()}";
        context.Response.Headers["Docker-Content-Digest"] = digest.Oci();
        return Results.StatusCode(201);
    }

    public static async Task<IResult> PatchAsync(HttpContext context, OciUploads uploads, OciSessions sessions)
    {
        if (Session(context, sessions, uploads) is not { } stagingId) return UnknownSession();
        long? start = null;
        var header = context.Request.Headers.ContentRange.ToString();
        if (header.Length > 0)
        {
            var match = ContentRange().Match(header);
            if (!match.Success || !long.TryParse(match.Groups[1].Value, out var from) || !long.TryParse(match.Groups[2].Value, out var to) || to < from
                || (context.Request.ContentLength is { } length && length != to - from + 1))
                return OutOfOrder(context, uploads, stagingId, $"Content-Range '{Clip(header)}' is not <start>-<end> matching the body's length");
            start = from;
        }
        var written = await WriteAsync(() => uploads.AppendAsync(OciCaller.ActorOf(context), context.Request().Repository, stagingId, context.Request.Body, start, context.RequestAborted));
        if (written.Outcome == Outcome.Conflict) return OutOfOrder(context, uploads, stagingId, written.Message);
        if (IsGone(written)) return UnknownSession();
        if (!written.Succeeded) return OciErrors.From(context, written, OciErrors.NameUnknown, OciErrors.UploadInvalid);
        return Accepted(context, 202, SessionId(context), written.Value!.Length);
    }

    public static async Task<IResult> PutAsync(HttpContext context, OciUploads uploads, OciSessions sessions)
    {
        if (Session(context, sessions, uploads) is not { } stagingId) return UnknownSession();
        if (!OciRefs.TryParseDigest(context.Request().UploadDigest, out var digest))
            return OciErrors.Error(400, OciErrors.DigestInvalid, "finish an upload with ?digest=sha256:<64 lowercase hex>");
        var hasBody = context.Request.ContentLength > 0 || (context.Request.ContentLength is null && context.Request.Headers.TransferEncoding.Count > 0);
        return await FinishAsync(context, uploads, stagingId, digest, hasBody ? context.Request.Body : null);
    }

    public static IResult StatusAsync(HttpContext context, OciUploads uploads, OciSessions sessions) =>
        Session(context, sessions, uploads) is { } stagingId && uploads.LengthOf(stagingId) is { } length
            ? Accepted(context, 204, SessionId(context), length) : UnknownSession();

    public static async Task<IResult> CancelAsync(HttpContext context, OciUploads uploads, OciSessions sessions)
    {
        if (Session(context, sessions, uploads) is not { } stagingId) return UnknownSession();
        return await uploads.CancelAsync(stagingId, context.RequestAborted) ? Results.NoContent() : OciErrors.Error(409, OciErrors.UploadInvalid, "another request is writing this upload session");
    }

    private static async Task<IResult> FinishAsync(HttpContext context, OciUploads uploads, string stagingId, Digest digest, Stream? body)
    {
        var request = context.Request();
        var done = await WriteAsync(() => uploads.FinishAsync(OciCaller.ActorOf(context), request.Repository, stagingId, digest, body, context.RequestAborted));
        if (IsGone(done)) return UnknownSession();
        if (!done.Succeeded) return OciErrors.From(context, done, OciErrors.NameUnknown, OciErrors.DigestInvalid);
        context.Response.Headers.Location = $"/v2/{request.Repository}/blobs/{digest.Oci()}";
        context.Response.Headers["Docker-Content-Digest"] = digest.Oci();
        return Results.StatusCode(201);
    }

    /// <summary>A client that stops sending mid-body: its bytes so far stay staged (the session can go on), the request is a 400.</summary>
    private static async Task<Result<T>> WriteAsync<T>(Func<Task<Result<T>>> write)
    {
        try { return await write(); }
        catch (SourceReadException e) { return Result.Invalid($"the upload was cut off: {e.InnerException?.Message}"); }
    }

    /// <summary>The staged upload of a session this registry issued to this caller, if its bytes are still there.</summary>
    private static string? Session(HttpContext context, OciSessions sessions, OciUploads uploads) =>
        sessions.Verify(context.Request.RouteValues["session"]?.ToString(), context.Request().Repository, OciCaller.ActorOf(context).UserId ?? "")
            is { } stagingId && uploads.LengthOf(stagingId) is not null ? stagingId : null;

    private static string SessionId(HttpContext context) => context.Request.RouteValues["session"]!.ToString()!;

    private static IResult UnknownSession() => OciErrors.Error(404, OciErrors.UploadUnknown, OciUploads.GoneMessage);

    /// <summary>A session whose bytes went (committed or dropped) while this request waited its turn.</summary>
    private static bool IsGone<T>(Result<T> result) => result.Outcome == Outcome.NotFound && result.Message == OciUploads.GoneMessage;

    private static IResult Accepted(HttpContext context, int status, string session, long length)
    {
        context.Response.Headers.Location = $"/v2/{context.Request().Repository}/blobs/uploads/{session}";
        context.Response.Headers.Range = $"0-{Math.Max(0, length - 1)}";
        context.Response.Headers["Docker-Upload-UUID"] = session;
        return Results.StatusCode(status);
    }

    private static IResult OutOfOrder(HttpContext context, OciUploads uploads, string stagingId, string message)
    {
        var length = uploads.LengthOf(stagingId) ?? 0;
        context.Response.Headers.Location = $"/v2/{context.Request().Repository}/blobs/uploads/{SessionId(context)}";
        context.Response.Headers.Range = $"0-{Math.Max(0, length - 1)}";
        return OciErrors.Error(416, OciErrors.RangeInvalid, message);
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
