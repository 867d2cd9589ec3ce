using Microsoft.AspNetCore.Authorization;

namespace Registry.Web.Api.Authentication;

/// <summary>
/// Library API writes (POST, PUT, DELETE) need a token: without one they are a 401 before the handler reads a byte of the
/// body, so an anonymous caller cannot make the server read anything. An endpoint filter runs after parameter binding,
/// which is why no API handler binds its body: a <see cref="Validated{T}"/> parameter is read by the route group's
/// validation filter, which runs after this one (uploads stream theirs).
/// Capability URLs (the presigned upload target) are marked <c>AllowAnonymous</c>: the URL itself is the credential.
/// </summary>
public static class WriteGate
{
    public static async ValueTask<object?> RequireTokenAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
            || context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null
            || context.GetActor().IsAuthenticated)
            return await next(invocation);
        return Envelope.Error(401, "a token is required: create one at /auth/tokens");
    }
}
