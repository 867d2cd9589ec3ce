using System.Text.Json;
using FluentValidation;

namespace Registry.Web.Api;

/// <summary>
/// Reads a JSON request body whatever its Content-Type (the Go client sends none; see LIBRARY-API.md §2),
/// then validates it with the request's FluentValidation validator. Kestrel caps the body as it is read (<see cref="BodyLimits"/>).
/// </summary>
public static class JsonBody
{
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext context) where T : class
    {
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
            return (null, Envelope.Error(413, $"request body too large: at most {BodyLimits.Default / 1024} KiB"));
        }
        catch (BadHttpRequestException e)
        {
            return (null, Envelope.Error(e.StatusCode, $"malformed request body: {e.Message}"));
        }
        catch (IOException e) when (!context.RequestAborted.IsCancellationRequested)
        {
            return (null, Envelope.Error(400, $"malformed request body: {e.Message}"));
        }
        if (value is null) return (null, Envelope.Error(400, "a JSON object is required"));

        var validator = context.RequestServices.GetRequiredService<IValidator<T>>();
        var result = await validator.ValidateAsync(value, context.RequestAborted);
        return result.IsValid ? (value, null) : (null, Envelope.Error(400, string.Join("; ", result.Errors.Select(e => e.ErrorMessage))));
    }
}
