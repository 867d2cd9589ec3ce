using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Data;
using Registry.Web.Api;
using Registry.Web.Api.Oci;
using Registry.Web.Api.Sregistry;
using Registry.Web.Components;
using Registry.Web.Components.Account;
using Registry.Web.Components.Pages.Containers;
using Registry.Web.Components.Pages.Upload;
using Registry.Web.Security;

namespace Registry.Web.Hosting;

/// <summary>The middleware in the order a request meets it, and the endpoints it can reach.</summary>
public static class RequestPipeline
{
    public static WebApplication UseRegistryPipeline(this WebApplication app)
    {
        app.UseRegistryForwardedHeaders();
        app.UseSecurityHeaders();
        app.UseHostValidation();
        // The web UI's error and not-found pages. On the main pipeline, not in a UseWhen branch: a branch has no routing of
        // its own, so re-executing /Error there found no page and answered an empty 500. API paths get their JSON envelope
        // first from the plumbing's own handlers further in, and these then leave the answered response alone.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = "/Error",
            CreateScopeForErrors = true,
            // A full disk is the administrators' to fix, not a bug: 507, and /Error says what happened.
            // An unreachable database is an outage, not a bug: 503, as /readyz says at the same time.
            StatusCodeSelector = e => StorageFull.Is(e) ? StatusCodes.Status507InsufficientStorage
                : DatabaseUnavailable.Is(e) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        // The API's caller is known (a verified token, or anonymous) before the limiter counts it, and refused after.
        app.UseLibraryApiPlumbing();
        app.UseSregistryPlumbing();
        app.UseOciPlumbing();
        app.UseRegistryRateLimits();
        app.UseLibraryApiRefusals();
        app.UseSregistryRefusals();
        app.UseOciRefusals();
        app.UseAntiforgery();
        app.UseApiDocs();
        return app;
    }

    public static WebApplication MapRegistryEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapLibraryApi(app.Services.GetRequiredService<IOptions<RegistryOptions>>().Value.MultipartEnabled);
        app.MapStaticAssets();
        app.MapImageDownloads();
        app.MapBrowserUploads();
        // SecurityHeaders sets the whole CSP (frame-ancestors 'none') on every response: no second, laxer one from Blazor.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        app.MapAdditionalIdentityEndpoints();
        return app;
    }
}
