using Microsoft.AspNetCore.Http.Metadata;

namespace Registry.Web.Api;

/// <summary>
/// Request body caps, enforced by Kestrel while the body is read, never after: a request may send at most
/// <see cref="Default"/> bytes (the API's JSON, the keyserver's and the sign-in pages' forms) unless its endpoint declares
/// otherwise. A read past the cap throws a 413 <see cref="BadHttpRequestException"/> and the rest is never read.
/// Routing applies an endpoint's <see cref="IRequestSizeLimitMetadata"/> before any middleware reads the body.
/// </summary>
public static class BodyLimits
{
    public const long Default = 1 << 20;

    /// <summary>An endpoint that streams image bytes to disk: no cap (declared sizes and quota bound what is kept).</summary>
    public static TBuilder StreamsBody<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Limit(null));

    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Limit(bytes));

    private sealed record Limit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
