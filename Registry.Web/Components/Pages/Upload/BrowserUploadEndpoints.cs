using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Registry.Core;
using Registry.Core.Uploads;
using Registry.Web.Api;
using Registry.Web.Components.Shared;

namespace Registry.Web.Components.Pages.Upload;

/// <summary>
/// The upload page's chunked HTTP uploads (plain fetch, not the SignalR circuit), authorised by the sign-in cookie and
/// protected by the antiforgery header token. A dropped connection resumes from the received offset (GET status); the
/// same file picked again after a reload or restart resumes too, once samples of the bytes received match it.
/// </summary>
public static class BrowserUploadEndpoints
{
    public sealed record StartRequest(string Entity, string Collection, string Container, string Tag, long Size, string? Description, bool Fresh = false);

    public static IEndpointRouteBuilder MapBrowserUploads(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/browser-upload").ExcludeFromDescription().AddEndpointFilter(RequireSignedInAsync);
        group.MapPost("/", async (HttpContext c, BrowserUploadService uploads) =>
        {
            var (r, error) = await ReadStartAsync(c);
            return r is null ? error! : Map(await uploads.StartAsync(c.User.ToActor(), r.Entity, r.Collection, r.Container, r.Tag, r.Size, r.Description ?? "", r.Fresh, c.RequestAborted));
        });
        group.MapGet("/{id}", async (string id, HttpContext c, BrowserUploadService uploads) =>
            Map(await uploads.StatusAsync(c.User.ToActor(), id, c.RequestAborted)));
        group.MapGet("/{id}/sample/{offset:long}/{length:int}", async (string id, long offset, int length, HttpContext c, UnfinishedUploads unfinished) =>
        {
            var sample = await unfinished.SampleAsync(c.User.ToActor(), id, offset, length, c.RequestAborted);
            return sample.Succeeded ? Results.Bytes(sample.Value!, "application/octet-stream") : Error(sample.Outcome, sample.Message);
        });
        group.MapPut("/{id}/{offset:long}", async (string id, long offset, HttpContext c, BrowserUploadService uploads) =>
            Map(await uploads.ReceiveAsync(c.User.ToActor(), id, offset, c.Request.Body, c.RequestAborted))).StreamsBody();
        group.MapPost("/{id}/finish", async (string id, HttpContext c, BrowserUploadService uploads) =>
        {
            var done = await uploads.FinishAsync(c.User.ToActor(), id, c.RequestAborted);
            return done.Succeeded ? Results.Ok(new { containerUrl = done.Value }) : Error(done.Outcome, done.Message);
        });
        group.MapDelete("/{id}", async (string id, HttpContext c, BrowserUploadService uploads) =>
            Map(await uploads.AbortAsync(c.User.ToActor(), id, c.RequestAborted)));
        return app;
    }

    /// <summary>Cookie sign-in plus the antiforgery token (header <c>RequestVerificationToken</c>) on every call.</summary>
    private static async ValueTask<object?> RequireSignedInAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.User.Identity?.IsAuthenticated != true) return Error(Outcome.Unauthorized, "sign in to upload");
        if (!await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
            return Error(Outcome.Invalid, "the page's antiforgery token is missing or stale: reload the page");
        return await next(context);
    }

    /// <summary>Read by the handler, not bound as a parameter: binding would read the body before the sign-in filter ran.</summary>
    private static async Task<(StartRequest?, IResult?)> ReadStartAsync(HttpContext c)
    {
        try
        {
            return await c.Request.ReadFromJsonAsync<StartRequest>(c.RequestAborted) is { } r ? (r, null) : (null, Error(Outcome.Invalid, "a JSON object is required"));
        }
        catch (BadHttpRequestException e)
        {
            return (null, Results.Json(new { message = "request body too large or malformed" }, statusCode: e.StatusCode));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (null, Error(Outcome.Invalid, "send the upload's details as JSON"));
        }
    }

    private static IResult Map<T>(Result<T> result) => result.Succeeded ? Results.Ok(result.Value) : Error(result.Outcome, result.Message);

    private static IResult Error(Outcome outcome, string message) => Results.Json(new { message }, statusCode: outcome switch
    {
        Outcome.Unauthorized => 401,
        Outcome.Forbidden => 403,
        Outcome.NotFound => 404,
        Outcome.Conflict => 409,
        Outcome.InsufficientStorage => 507,
        _ => 400,
    });
}
