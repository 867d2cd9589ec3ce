using Microsoft.Extensions.Options;
using Registry.Core;

namespace Registry.Web.Api;

/// <summary>Absolute URLs for what the client fetches without its token (upload and download capabilities).</summary>
public static class PublicUrls
{
    public static string BaseUrl(this HttpContext context)
    {
        var configured = context.RequestServices.GetRequiredService<IOptions<RegistryOptions>>().Value.PublicUrl;
        return string.IsNullOrEmpty(configured) ? $"{context.Request.Scheme}://{context.Request.Host}" : configured.TrimEnd('/');
    }
}
