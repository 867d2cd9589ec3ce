namespace Registry.Web.Security;

/// <summary>Headers on every response: a CSP MudBlazor and Blazor Server work with, no framing, no sniffing.</summary>
public static class SecurityHeaders
{
    // Blazor's import map is an inline script and MudBlazor sets inline styles; the circuit needs ws(s) to self.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "font-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    /// <summary>
    /// Set as the response starts, not on the way in: the exception and status-code handlers clear the headers before they
    /// re-execute the error or not-found page, and that page must carry them too.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            return Task.CompletedTask;
        }, context.Response);
        return next();
    });
}
