using Registry.Web.Api.Authentication;

namespace Registry.Web.Api.Oci;

/// <summary>
/// What every <c>/v2/</c> request of the OCI distribution API passes through: OCI error bodies for errors, 404 and 405,
/// and the caller identified before the rate limiter and refused after it. The Library API keeps its own <c>/v2/</c>
/// paths (<c>/v2/imagefile/…</c>, <c>/v2/tags/{id}</c>): an OCI path is <c>/v2/</c>, <c>/v2/token</c>, or a
/// three-name repository followed by <c>blobs</c>, <c>manifests</c>, <c>tags</c> or <c>referrers</c>, which no Library path is.
/// </summary>
public static class OciPlumbing
{
    private static readonly string[] Kinds = ["blobs", "manifests", "tags", "referrers"];

    public static bool IsOciPath(PathString path)
    {
        var value = path.Value;
        if (value is null || !path.StartsWithSegments("/v2")) return false;
        if (value is "/v2" or "/v2/" || path.StartsWithSegments("/v2/token") || path.StartsWithSegments("/v2/_catalog")) return true;
        var segments = value.Split('/');
        // "", "v2", entity, collection, container, kind, …
        return segments.Length >= 7 && Kinds.Contains(segments[5], StringComparer.Ordinal);
    }

    public static void UseOciPlumbing(this WebApplication app) =>
        app.UseWhen(c => IsOciPath(c.Request.Path), api =>
        {
            api.UseApiErrors(OciErrors.WriteAsync);
            api.Use((context, next) => OciCaller.IdentifyAsync(context, () => next()));
        });

    /// <summary>After the rate limiter: a refused token is answered in the OCI form.</summary>
    public static void UseOciRefusals(this WebApplication app) =>
        app.UseWhen(c => IsOciPath(c.Request.Path), api => api.Use(async (context, next) =>
        {
            if (context.Refusal() is var (status, message))
            {
                await OciErrors.WriteAsync(context, status, message);
                return;
            }
            await next(context);
        }));
}
