using Registry.Web.Api;

namespace Registry.Web.Security;

/// <summary>
/// Refuses requests whose Host header can't form a URL (missing, empty, spaces, overlong labels): Blazor and the absolute
/// URLs we sign build URIs from it, and an unparsable one would otherwise surface as a 500 deep inside a page.
/// </summary>
public static class HostValidation
{
    public static IApplicationBuilder UseHostValidation(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var host = context.Request.Host;
        // A balancer's health check often speaks HTTP/1.0 without a Host; the probes build no URL from it.
        if (Hosting.HealthEndpoints.IsProbe(context.Request.Path)) return next();
        if (host.HasValue && Uri.TryCreate($"http://{host.Value}/", UriKind.Absolute, out var uri) && uri.Host.Length is > 0 and <= 253
            && uri.Host.Split('.').All(label => label.Length <= 63))
            return next();
        if (LibraryApi.IsApiPath(context.Request.Path)) return Envelope.WriteErrorAsync(context, 400, "invalid Host header");
        if (Api.Oci.OciPlumbing.IsOciPath(context.Request.Path)) return Api.Oci.OciErrors.WriteAsync(context, 400, "invalid Host header");
        if (Api.Sregistry.SregistryPlumbing.IsSregistryPath(context.Request.Path)) return Api.Sregistry.Detail.WriteAsync(context, 400, "invalid Host header");
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync("invalid Host header");
    });
}
