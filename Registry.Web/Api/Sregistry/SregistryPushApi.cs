using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Sregistry;
using Registry.Core.Storage;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api.Sregistry;

/// <summary>
/// <c>sregistry push</c>: <c>chunked_upload</c> (JSON, a push signature) answers the collection id, then <c>/upload</c>
/// streams a multipart body whose fields come before the file. The fields are read (small, bounded), the signature over
/// them checked, and only then is <c>file1</c> streamed to disk: an unsigned caller never makes the server read the file.
/// </summary>
public static class SregistryPushApi
{
    private const int MaxFieldBytes = 4096;

    public static async Task<IResult> PrepareAsync(HttpContext context, SregistryPush pushes, IValidator<SregistryPushRequest> validator)
    {
        var actor = context.GetActor();
        if (!actor.IsAuthenticated) return Detail.Error(401, "a push signature (or a token) is required");
        SregistryPushRequest? body;
        try { body = await JsonSerializer.DeserializeAsync<SregistryPushRequest>(context.Request.Body, Envelope.Json, context.RequestAborted); }
        catch (JsonException) { body = null; }
        if (body is null) return Detail.Error(400, "the body must be JSON {\"collection\", \"name\", \"tag\"}");
        var valid = await validator.ValidateAsync(body, context.RequestAborted);
        if (!valid.IsValid) return Detail.Error(400, string.Join("; ", valid.Errors.Select(e => e.ErrorMessage)));
        var collection = await pushes.PrepareAsync(actor, body.Collection!.ToLowerInvariant(), body.Name!.ToLowerInvariant(), body.TagOrLatest, context.RequestAborted);
        return collection.Succeeded ? Results.Json(new { cid = collection.Value!.Id }) : Detail.Failure(collection);
    }

    public static async Task<IResult> UploadAsync(HttpContext context, SregistryPush pushes)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            return Detail.Error(400, "the upload must be multipart/form-data with a boundary");
        var reader = new MultipartReader(boundary, context.Request.Body) { HeadersLengthLimit = 16 * 1024 };
        // MultipartReader throws on bad framing (InvalidDataException) and on a body that ends before its boundary (IOException).
        try { return await PushAsync(context, reader, pushes); }
        catch (InvalidDataException e) { return Detail.Error(400, $"malformed multipart body: {e.Message}"); }
        catch (IOException e) when (e is not BadHttpRequestException && !context.RequestAborted.IsCancellationRequested)
        {
            return Detail.Error(400, $"the upload was cut off: {e.Message}");
        }
    }

    private static async Task<IResult> PushAsync(HttpContext context, MultipartReader reader, SregistryPush pushes)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadNextSectionAsync(context.RequestAborted) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                return Detail.Error(400, "a multipart section has no Content-Disposition");
            var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (field != "file1")
            {
                if (fields.Count >= 16) return Detail.Error(400, "too many form fields before file1");
                if (await ReadFieldAsync(section.Body, context.RequestAborted) is not { } value) return Detail.Error(400, $"form field '{Clip(field)}' is longer than {MaxFieldBytes} bytes");
                fields[field] = value;
                continue;
            }
            var caller = await CallerAsync(context, fields, pushes);
            if (!caller.Succeeded) return Detail.Failure(caller);
            var (cid, name, tag) = (fields["collection"], fields["name"].ToLowerInvariant(), Tag(fields));
            Result<string> pushed;
            try { pushed = await pushes.UploadAsync(caller.Value!, cid, name, tag, section.Body, context.RequestAborted); }
            catch (SourceReadException e) { return Detail.Error(400, $"the upload was cut off: {e.InnerException?.Message}"); }
            return pushed.Succeeded ? Results.Json(new { message = $"Upload complete: {pushed.Value}" }) : Detail.Failure(pushed);
        }
        return Detail.Error(400, "the upload has no file1 part");
    }

    /// <summary>
    /// The upload signature (the SREGISTRY_EVENT field, or the Authorization header) signs the collection's name, and the
    /// form carries its id: the name is looked up (without access checks: the signature and the push decide those).
    /// </summary>
    private static async Task<Result<Actor>> CallerAsync(HttpContext context, Dictionary<string, string> fields, SregistryPush pushes)
    {
        if (!fields.TryGetValue("collection", out var cid) || !fields.TryGetValue("name", out var name))
            return Result.Invalid("the fields SREGISTRY_EVENT, name, collection and tag must come before file1");
        var signature = fields.GetValueOrDefault("SREGISTRY_EVENT") ?? context.Request.Headers.Authorization.ToString();
        if (!SregistrySignature.IsSregistry(signature))
            return context.GetActor().IsAuthenticated ? context.GetActor() : Result.Unauthorized("an upload signature is required (SREGISTRY_EVENT)");
        var collection = await pushes.CollectionNameAsync(cid, context.RequestAborted);
        var verified = await SregistrySigner.VerifyAsync(context, signature, "upload", collection ?? "", name.ToLowerInvariant(), Tag(fields));
        if (!verified.Succeeded) await SregistrySigner.AuditRefusalAsync(context, verified.Message);
        return verified;
    }

    private static string Tag(Dictionary<string, string> fields) =>
        fields.GetValueOrDefault("tag") is { Length: > 0 } tag ? tag.ToLowerInvariant() : "latest";

    private static async Task<string?> ReadFieldAsync(Stream body, CancellationToken ct)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var length = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
            if ((length += read) > MaxFieldBytes) return null;
        return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
