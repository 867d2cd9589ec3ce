using System.Text.Json;
using FluentValidation;
using Microsoft.Net.Http.Headers;

namespace Registry.Web.Api;

/// <summary>
/// Reads a JSON request body, then validates it with the request's FluentValidation validator (route handlers take a
/// <see cref="Validated{T}"/> parameter and get both from the route group's filter). Kestrel caps the body as
/// it is read (<see cref="BodyLimits"/>). A body without a Content-Type is taken as JSON (the Go client sends none; see
/// docs/library-api.md §Conventions); one that declares another type is a 415, so that what a browser may send to another origin
/// without asking (text/plain, forms) is never taken for a JSON request.
/// </summary>
public static class JsonBody
{
    /// <summary>The request's FluentValidation verdict as the 400 envelope (every message, joined), or null when valid.</summary>
    public static async Task<IResult?> ValidateAsync<T>(HttpContext context, T value) where T : class
    {
        var validator = context.RequestServices.GetRequiredService<IValidator<T>>();
        var result = await validator.ValidateAsync(value, context.RequestAborted);
        return result.IsValid ? null : Envelope.Error(400, string.Join("; ", result.Errors.Select(e => e.ErrorMessage)));
    }

    internal static async Task<(T? Value, IResult? Error)> ReadUncheckedAsync<T>(HttpContext context) where T : class
    {
        if (!IsJsonOrUndeclared(context.Request.ContentType))
            return (null, Envelope.Error(415, "send the request body as JSON (Content-Type: application/json)"));
        T? value;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (buffer.Length == 0) return (null, Envelope.Error(400, "a JSON request body is required"));
            buffer.Position = 0;
            value = await JsonSerializer.DeserializeAsync<T>(buffer, Envelope.Json, context.RequestAborted);
        }
        catch (JsonException e)
        {
            return (null, Envelope.Error(400, $"malformed JSON: {e.Message.Split(". Path")[0]}"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == 413)
        {
            return (null, Envelope.Error(413, $"request body too large: at most {BodyLimits.Default >> 20} MiB"));
        }
        catch (BadHttpRequestException e)
        {
            return (null, Envelope.Error(e.StatusCode, $"malformed request body: {e.Message}"));
        }
        catch (IOException e) when (!context.RequestAborted.IsCancellationRequested)
        {
            return (null, Envelope.Error(400, $"malformed request body: {e.Message}"));
        }
        return value is null ? (null, Envelope.Error(400, "a JSON object is required")) : (value, null);
    }

    private static bool IsJsonOrUndeclared(string? contentType) =>
        string.IsNullOrEmpty(contentType)
        || MediaTypeHeaderValue.TryParse(contentType, out var type) && type.MediaType.Value is { } media
            && (media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
