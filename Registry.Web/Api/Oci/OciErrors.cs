using System.Text.Json;
using Registry.Core;

namespace Registry.Web.Api.Oci;

/// <summary>
/// The OCI error body, <c>{"errors":[{"code","message","detail"}]}</c>, and the Bearer challenge of a 401.
/// See: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#error-codes
/// </summary>
public static class OciErrors
{
    public const string BlobUnknown = "BLOB_UNKNOWN", UploadInvalid = "BLOB_UPLOAD_INVALID", UploadUnknown = "BLOB_UPLOAD_UNKNOWN",
        DigestInvalid = "DIGEST_INVALID", ManifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN", ManifestInvalid = "MANIFEST_INVALID",
        ManifestUnknown = "MANIFEST_UNKNOWN", NameInvalid = "NAME_INVALID", NameUnknown = "NAME_UNKNOWN", SizeInvalid = "SIZE_INVALID",
        Unauthorized = "UNAUTHORIZED", Denied = "DENIED", Unsupported = "UNSUPPORTED", TooManyRequests = "TOOMANYREQUESTS",
        RangeInvalid = "BLOB_UPLOAD_INVALID";

    // Relaxed escaping: media types keep their '+' (application/vnd…+json) in messages; the body is JSON, never HTML.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IResult Error(int status, string code, string message, object? detail = null) =>
        Results.Json(Body(code, message, detail), Json, statusCode: status);

    /// <summary>A Core failure in OCI terms: <paramref name="notFound"/> and <paramref name="invalid"/> name what was missing or wrong.</summary>
    public static IResult From<T>(HttpContext context, Result<T> failure, string notFound, string invalid, string? scope = null)
    {
        var anonymous = !OciCaller.ActorOf(context).IsAuthenticated;
        return failure.Outcome switch
        {
            // An anonymous caller is asked to sign in for what it cannot see, as Distribution does: nothing is told apart.
            Outcome.NotFound when anonymous => Challenge(context, "authentication required", scope),
            Outcome.Unauthorized => Challenge(context, failure.Message, scope),
            Outcome.NotFound => Error(404, notFound, failure.Message),
            Outcome.Forbidden => Error(403, Denied, failure.Message),
            Outcome.Invalid => Error(400, invalid, failure.Message),
            Outcome.Conflict => Error(409, invalid, failure.Message),
            Outcome.InsufficientStorage => Error(507, Denied, failure.Message),
            _ => Error(500, Unsupported, failure.Message),
        };
    }

    /// <summary>401 with <c>WWW-Authenticate: Bearer realm="&lt;this origin&gt;/v2/token",service=…[,scope=…]</c>.</summary>
    public static IResult Challenge(HttpContext context, string message, string? scope = null)
    {
        SetChallenge(context, scope);
        return Error(401, Unauthorized, message);
    }

    public static void SetChallenge(HttpContext context, string? scope)
    {
        var header = $"Bearer realm=\"{context.BaseUrl()}/v2/token\",service=\"{Service(context)}\"";
        if (scope is not null) header += $",scope=\"{scope}\"";
        context.Response.Headers.WWWAuthenticate = header;
    }

    /// <summary>The token service's name: this registry's host.</summary>
    public static string Service(HttpContext context) => new Uri(context.BaseUrl()).Authority;

    /// <summary>Writes the error body straight to a response (middleware, status-code pages, the rate limiter).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted) return;
        var code = status switch
        {
            401 => Unauthorized,
            403 => Denied,
            404 => NameUnknown,
            405 => Unsupported,
            429 => TooManyRequests,
            _ => Unsupported,
        };
        if (status == 401) SetChallenge(context, null);
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(Body(code, message, null), Json);
    }

    /// <summary>
    /// Answers in full now (with a length) and closes the connection: for a body refused unread while the client is still
    /// sending it, whose rest Kestrel will not drain. Flushed before the connection drops, the answer reaches the client whole.
    /// </summary>
    public static async Task<IResult> FinalAsync(HttpContext context, int status, string code, string message)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(Body(code, message, null), Json);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        context.Response.Headers.Connection = "close";
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        await context.Response.CompleteAsync();
        return Results.Empty;
    }

    private static object Body(string code, string message, object? detail) => new { errors = new[] { new { code, message, detail } } };
}
