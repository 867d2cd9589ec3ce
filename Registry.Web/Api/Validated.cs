using System.Reflection;

namespace Registry.Web.Api;

/// <summary>
/// A handler parameter for a request that the route group's validation filter reads and validates before the handler
/// runs (TodoApi's <c>ValidationFilter&lt;T&gt;</c>). Binding only makes an empty holder: the body is read in the filter,
/// after <see cref="Authentication.WriteGate"/>, so an anonymous write is refused before a byte of it is read. The request
/// comes from the JSON body (<see cref="JsonBody"/>) unless the endpoint names another reader with
/// <see cref="RequestValidation.ReadsRequest{T}"/> (the keyserver's form and query).
/// </summary>
public sealed class Validated<T> : RequestValidation.IHolder where T : class
{
    /// <summary>The request, read and valid: set before the handler runs.</summary>
    public T Value { get; private set; } = null!;

    public static ValueTask<Validated<T>?> BindAsync(HttpContext context) => ValueTask.FromResult<Validated<T>?>(new());

    async Task<IResult?> RequestValidation.IHolder.ReadAsync(HttpContext context)
    {
        var reader = context.GetEndpoint()?.Metadata.GetMetadata<RequestValidation.Reader<T>>();
        var (value, error) = reader is null ? await JsonBody.ReadUncheckedAsync<T>(context) : await reader.Read(context);
        if (error is not null) return error;
        var invalid = await JsonBody.ValidateAsync(context, value!);
        if (invalid is not null) return invalid;
        Value = value!;
        return null;
    }
}

/// <summary>Validation declared once per route group: every handler with a <see cref="Validated{T}"/> parameter gets it filled.</summary>
public static class RequestValidation
{
    internal interface IHolder
    {
        Task<IResult?> ReadAsync(HttpContext context);
    }

    internal sealed record Reader<T>(Func<HttpContext, Task<(T? Value, IResult? Error)>> Read);

    public static TBuilder WithRequestValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var index = Array.FindIndex(factory.MethodInfo.GetParameters(), IsHolder);
            if (index < 0) return next;
            return async invocation =>
            {
                var holder = (IHolder)invocation.Arguments[index]!;
                return await holder.ReadAsync(invocation.HttpContext) ?? await next(invocation);
            };
        });

    /// <summary>Where a non-JSON request comes from (a form, the query); it is validated the same way.</summary>
    public static RouteHandlerBuilder ReadsRequest<T>(this RouteHandlerBuilder builder, Func<HttpContext, Task<(T? Value, IResult? Error)>> read)
        where T : class => builder.WithMetadata(new Reader<T>(read));

    private static bool IsHolder(ParameterInfo parameter) =>
        parameter.ParameterType.IsGenericType && parameter.ParameterType.GetGenericTypeDefinition() == typeof(Validated<>);
}
