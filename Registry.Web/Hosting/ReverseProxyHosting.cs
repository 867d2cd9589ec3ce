using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Registry.Web.Hosting;

/// <summary>Settings section <c>ReverseProxy</c>: which peers may say, in X-Forwarded-*, who the client is.</summary>
public sealed class ReverseProxyOptions
{
    public const string SectionName = "ReverseProxy";

    /// <summary>Addresses of the proxies (HAProxy, nginx) in front of this node, e.g. <c>["10.0.0.5"]</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks the proxies are in, as CIDR (<c>["10.0.0.0/24"]</c>).</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies deep the X-Forwarded-For chain is trusted (1: one balancer in front).</summary>
    public int ForwardLimit { get; set; } = 1;

    public bool Enabled => KnownProxies.Length > 0 || KnownNetworks.Length > 0;
}

/// <summary>
/// X-Forwarded-For, -Proto and -Host, honoured only from the configured proxies: then the request's scheme, host and
/// address are the client's, so redirects, signed and upload URLs, the 303 of a pull, sign-in callbacks, the Secure
/// flag of cookies and the rate limits' per-address partitions all follow. From any other peer the headers are ignored
/// (a client cannot spoof its address or make the registry sign URLs for another host). Nothing configured: no peer is
/// trusted, not even loopback (ASP.NET's default), since a proxy on the same machine is then the configured one.
/// </summary>
public static class ReverseProxyHosting
{
    public static IServiceCollection AddRegistryReverseProxy(this IServiceCollection services, IConfiguration configuration)
    {
        var proxy = configuration.GetSection(ReverseProxyOptions.SectionName).Get<ReverseProxyOptions>() ?? new ReverseProxyOptions();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = proxy.Enabled ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost : ForwardedHeaders.None;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var address in proxy.KnownProxies) o.KnownProxies.Add(IPAddress.Parse(address.Trim()));
            foreach (var network in proxy.KnownNetworks) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network.Trim()));
            o.ForwardLimit = Math.Max(1, proxy.ForwardLimit);
            // A proxy that forwards only some of the headers still gets the others applied.
            o.RequireHeaderSymmetry = false;
        });
        return services;
    }

    /// <summary>First in the pipeline: everything after sees the client's scheme, host and address.</summary>
    public static IApplicationBuilder UseRegistryForwardedHeaders(this IApplicationBuilder app) => app.UseForwardedHeaders();
}
