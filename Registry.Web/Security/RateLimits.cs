using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Registry.Web.Api;
using Registry.Web.Api.Authentication;
using Registry.Web.Api.Oci;
using Registry.Web.Api.Sregistry;

namespace Registry.Web.Security;

/// <summary>
/// ASP.NET's rate limiter: API calls per token, anonymous API calls per address, sign-in attempts per address and,
/// chained to those, sign-in attempts per account name from one address. Refusals are 429 with Retry-After (and the JSON
/// envelope on API paths). The account limit is per address, not global: a global one let anyone lock a user out
/// (ten wrong attempts a minute, and the right password got 429 too). It counts any name typed, real or not, alike.
/// </summary>
public static class RateLimits
{
    private const string AccountKey = "registry.signin-account";
    private const int MaxAccountNameLength = 256;

    /// <summary>
    /// The limiter, preceded by a step that reads the account name out of a sign-in form (the limiter's partitioning is
    /// synchronous and cannot read a body). The form is buffered, so antiforgery and the page read the same one.
    /// </summary>
    public static IApplicationBuilder UseRegistryRateLimits(this IApplicationBuilder app)
    {
        app.Use(async (context, next) =>
        {
            if (IsSignIn(context) && context.Request.HasFormContentType)
            {
                try
                {
                    var form = await context.Request.ReadFormAsync(context.RequestAborted);
                    var name = form["Input.Email"].ToString().Trim();
                    if (name.Length is > 0 and <= MaxAccountNameLength) context.Items[AccountKey] = $"{Address(context)} {name.ToUpperInvariant()}";
                }
                // A malformed or oversized form: the page answers it, unlimited by account.
                catch (Exception e) when (e is InvalidDataException or BadHttpRequestException) { }
            }
            await next();
        });
        return app.UseRateLimiter();
    }

    private static bool IsSignIn(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments("/Account/Login");

    public static IServiceCollection AddRegistryRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, options)),
                PartitionedRateLimiter.Create<HttpContext, string>(context => context.Items[AccountKey] is string account
                    ? Window("signin-account:" + account, options.SignInPerAccountPerMinute)
                    : RateLimitPartition.GetNoLimiter("unlimited")));
            limiter.OnRejected = async (rejected, ct) =>
            {
                var context = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : 60;
                context.Response.Headers.RetryAfter = retryAfter.ToString();
                var message = $"too many requests; retry in {retryAfter} s";
                if (LibraryApi.IsApiPath(context.Request.Path)) await Envelope.WriteErrorAsync(context, 429, message);
                else if (SregistryPlumbing.IsSregistryPath(context.Request.Path)) await Detail.WriteAsync(context, 429, message);
                else if (OciPlumbing.IsOciPath(context.Request.Path)) await OciErrors.WriteAsync(context, 429, message);
                else
                {
                    context.Response.StatusCode = 429;
                    await context.Response.WriteAsync(message, ct);
                }
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, RateLimitOptions options)
    {
        var path = context.Request.Path;
        var address = Address(context);
        if (HttpMethods.IsPost(context.Request.Method)
            && (path.StartsWithSegments("/Account/Login") || path.StartsWithSegments("/Account/Register")))
            return Window("signin:" + address, options.SignInPerAddressPerMinute);
        if (!(LibraryApi.IsApiPath(path) || SregistryPlumbing.IsSregistryPath(path) || OciPlumbing.IsOciPath(path)) || path.StartsWithSegments("/v2/imagefile/_upload") || path.StartsWithSegments("/v1/imagefile-blob"))
            return RateLimitPartition.GetNoLimiter("unlimited"); // pages, and byte transfers that already hold a capability
        // Only a token that exists counts as a token caller: any other credential is anonymous, by address.
        return context.VerifiedTokenKey() is { } token
            ? Window("token:" + token, options.ApiPerTokenPerMinute)
            : Window("anon:" + address, options.AnonymousPerAddressPerMinute);
    }

    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static RateLimitPartition<string> Window(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, permits),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
}
