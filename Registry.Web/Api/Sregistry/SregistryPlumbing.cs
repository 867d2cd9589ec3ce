using Registry.Web.Api.Authentication;

namespace Registry.Web.Api.Sregistry;

/// <summary>
/// What every request of the sregistry API passes through: <c>{"detail"}</c> answers for errors, 404 and 405; the caller
/// identified before the rate limiter (a bearer token, or a verified sregistry-cli signature) and refused after it.
/// </summary>
public static class SregistryPlumbing
{
    private static readonly string[] Prefixes =
        ["/api/collections", "/api/collection", "/api/container", "/api/labels", "/api/registry", "/api/upload", "/upload"];

    public static bool IsSregistryPath(PathString path) => Prefixes.Any(p => path.StartsWithSegments(p));

    public static void UseSregistryPlumbing(this WebApplication app) =>
        app.UseWhen(c => IsSregistryPath(c.Request.Path), api =>
        {
            api.UseApiErrors(Detail.WriteAsync);
            api.Use((context, next) => LibraryActor.IdentifyAsync(context, () => next()));
            api.Use((context, next) => SregistrySigner.IdentifyAsync(context, () => next()));
        });

    /// <summary>After the rate limiter: a refused signature or token is answered (and a refused signature audited).</summary>
    public static void UseSregistryRefusals(this WebApplication app) =>
        app.UseWhen(c => IsSregistryPath(c.Request.Path), api => api.Use(async (context, next) =>
        {
            if (context.Refusal() is var (status, message))
            {
                await SregistrySigner.AuditRefusalAsync(context, message);
                await Detail.WriteAsync(context, status, message);
                return;
            }
            await next(context);
        }));
}
