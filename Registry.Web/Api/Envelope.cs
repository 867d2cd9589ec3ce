using System.Text.Json;
using System.Text.Json.Serialization;
using Registry.Core;

namespace Registry.Web.Api;

/// <summary>The Library API's JSON envelope. See: docs/library-api.md §Envelope — <c>{"data":…}</c> or <c>{"error":{"code","message"}}</c>.</summary>
public static class Envelope
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static IResult Data<T>(T data, int status = StatusCodes.Status200OK) =>
        Results.Json(new { data }, Json, statusCode: status);

    public static IResult Error(int status, string message) => Results.Json(ErrorBody(status, message), Json, statusCode: status);

    /// <summary>The error envelope's body: <c>{"error":{"code","message"}}</c>.</summary>
    public static object ErrorBody(int status, string message) => new { error = new { code = status, message } };

    public static int StatusOf(Outcome outcome) => outcome switch
    {
        Outcome.Ok => StatusCodes.Status200OK,
        Outcome.Created => StatusCodes.Status200OK,
        Outcome.Invalid => StatusCodes.Status400BadRequest,
        Outcome.Unauthorized => StatusCodes.Status401Unauthorized,
        Outcome.Forbidden => StatusCodes.Status403Forbidden,
        Outcome.NotFound => StatusCodes.Status404NotFound,
        Outcome.Conflict => StatusCodes.Status409Conflict,
        Outcome.InsufficientStorage => StatusCodes.Status507InsufficientStorage,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>Maps a Core result: success through <paramref name="map"/> into <c>{"data"}</c>, failure into the error envelope.</summary>
    public static IResult From<T, TOut>(Result<T> result, Func<T, TOut> map) =>
        result.Succeeded ? Data(map(result.Value!)) : Error(StatusOf(result.Outcome), result.Message);

    public static IResult Failure<T>(Result<T> result) => Error(StatusOf(result.Outcome), result.Message);

    /// <summary>Writes the error envelope straight to a response (middleware and status-code pages).</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(ErrorBody(status, message), Json);
    }
}
