using Registry.Web.Api;

namespace Registry.Web.Hosting;

/// <summary>Kestrel tuned for multi-GiB uploads without letting anyone else send large bodies.</summary>
public static class KestrelHosting
{
    /// <summary>
    /// Every body is capped at 1 MiB as Kestrel reads it (<see cref="BodyLimits"/>); the endpoints that stream image bytes
    /// lift the cap for themselves. The default minimum body data rate (240 B/s after 5 s) stays: it only drops stalled
    /// clients. 2 MiB of request buffer per connection lets the socket keep filling while the upload loop hashes and
    /// writes its 1 MiB buffers (Kestrel's default is 1 MiB); the socket reads 64 KiB at a time into it
    /// (<see cref="LargeBlockMemoryPool"/>).
    /// </summary>
    public static WebApplicationBuilder ConfigureRegistryKestrel(this WebApplicationBuilder builder)
    {
        LargeBlockMemoryPool.ReplaceKestrels(builder.Services);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = BodyLimits.Default;
            k.Limits.MaxRequestBufferSize = 2 * 1024 * 1024;
        });
        return builder;
    }
}
