using Registry.Core;

namespace Registry.Web.Api.Sregistry;

/// <summary>
/// Errors of the sregistry API: <c>{"detail": "…"}</c> with the real status (sregistry answered some errors with HTTP 200
/// and the code in the body: never here). See: SREGISTRY-CLI.md "Other".
/// </summary>
public static class Detail
{
    public static IResult Error(int status, string message) => Results.Json(new { detail = message }, Envelope.Json, statusCode: status);

    /// <summary>The status and body of <see cref="Error"/>, for answers that are cached (<see cref="CatalogueCache"/>).</summary>
    public static (int Status, object Body) Body(int status, string message) => (status, new { detail = message });

    public static IResult Failure<T>(Result<T> result) => Error(Envelope.StatusOf(result.Outcome), result.Message);

    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { detail = message }, Envelope.Json);
    }
}
