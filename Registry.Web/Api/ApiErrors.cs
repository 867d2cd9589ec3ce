using Microsoft.AspNetCore.Diagnostics;
using Registry.Core.Data;

namespace Registry.Web.Api;

/// <summary>
/// How an API answers what no handler did: an exception (never a stack trace) or a bare status (404, 405, …), written in
/// the API's own error shape by <paramref name="write"/> (the Library envelope, or sregistry's <c>{"detail"}</c>).
/// </summary>
public static class ApiErrors
{
    public static void UseApiErrors(this IApplicationBuilder api, Func<HttpContext, int, string, Task> write)
    {
        api.UseExceptionHandler(error => error.Run(async context =>
        {
            var (status, message) = context.Features.Get<IExceptionHandlerFeature>()?.Error switch
            {
                BadHttpRequestException bad => (bad.StatusCode, "bad request: " + bad.Message),
                OperationCanceledException => (499, "request cancelled"),
                var e when StorageFull.Is(e) => (507, StorageFull.Message),
                var e when DatabaseUnavailable.Is(e) => (503, DatabaseUnavailable.Message),
                _ => (500, "internal error; the server log has the details"),
            };
            if (status == 503) context.Response.Headers.RetryAfter = DatabaseUnavailable.RetryAfterSeconds.ToString();
            await write(context, status, message);
        }));
        api.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            if (context.Response.ContentLength > 0 || context.Response.ContentType is not null) return;
            var message = context.Response.StatusCode switch
            {
                404 => $"{context.Request.Path} is not part of this API",
                405 => $"{context.Request.Method} is not allowed on {context.Request.Path}",
                _ => $"request failed with status {context.Response.StatusCode}",
            };
            await write(context, context.Response.StatusCode, message);
        });
    }
}
