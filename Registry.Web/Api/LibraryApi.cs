using System.Text.RegularExpressions;
using Registry.Web.Api.Authentication;
using Registry.Web.Api.Oci;
using Registry.Web.Api.Sregistry;

namespace Registry.Web.Api;

/// <summary>
/// Older clients send repeated slashes (<c>//v1/images/e//c/x</c>): API paths are collapsed before anything else, routing
/// included, hence a startup filter (WebApplication routes before the middleware in Program.cs). See: docs/library-api.md §Conventions.
/// </summary>
public sealed class CollapseApiSlashes : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            var path = context.Request.Path.Value;
            if (path is not null && path.Contains("//"))
            {
                var collapsed = new PathString(Regex.Replace(path, "/{2,}", "/"));
                if (LibraryApi.IsApiPath(collapsed)) context.Request.Path = collapsed;
            }
            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>The Library API's route table and the plumbing every one of its answers shares.</summary>
public static class LibraryApi
{
    /// <summary>Paths answered with the JSON envelope, also for 404, 405 and unexpected errors.</summary>
    public static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/v1") || (path.StartsWithSegments("/v2") && !Oci.OciPlumbing.IsOciPath(path)) || path.StartsWithSegments("/version")
        || path.StartsWithSegments("/assets/config")
        || path.StartsWithSegments("/pks");

    public static void UseLibraryApiPlumbing(this WebApplication app)
    {
        // Exceptions on API paths: the envelope with a neutral message, the details only in the server log.
        app.UseWhen(c => IsApiPath(c.Request.Path), api =>
        {
            api.UseApiErrors(Envelope.WriteErrorAsync);
            api.Use((context, next) => LibraryActor.IdentifyAsync(context, () => next()));
        });
    }

    /// <summary>After the rate limiter: a bad token, or one whose owner has not agreed to the terms, is refused.</summary>
    public static void UseLibraryApiRefusals(this WebApplication app) =>
        app.UseWhen(c => IsApiPath(c.Request.Path), api => api.Use((context, next) => LibraryActor.RefuseAsync(context, () => next())));

    public static void MapLibraryApi(this WebApplication app, bool multipartEnabled)
    {
        var api = app.MapGroup("").AddEndpointFilter(WriteGate.RequireTokenAsync).WithRequestValidation();
        api.MapServiceApi();
        api.MapCatalogueApi();
        api.MapImagesApi();
        api.MapUploadsApi(multipartEnabled);
        api.MapDownloadsApi();
        api.MapShubApi();
        // Outside the write gate: its handlers answer a missing signature with {"detail"}, and /upload verifies its own.
        app.MapSregistryApi();
        // Outside the write gate too: /v2/ answers with its own Bearer challenge. See: docs/oci.md.
        app.MapOciApi();
        api.MapKeysApi();

        // Anything else under the API prefixes is answered here, not by the web UI's not-found page.
        foreach (var prefix in new[] { "/v1", "/v2", "/pks" })
            app.Map(prefix + "/{**rest}", NotPartOfApi).ExcludeFromDescription();
    }

    private static IResult NotPartOfApi(HttpContext context) =>
        Envelope.Error(404, $"{context.Request.Method} {context.Request.Path} is not part of this API");
}
