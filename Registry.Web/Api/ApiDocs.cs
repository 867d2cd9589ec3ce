using Microsoft.OpenApi;

namespace Registry.Web.Api;

/// <summary>
/// The OpenAPI document of the Library API at <c>/api/openapi.json</c> and the Swagger UI viewer at <c>/api</c>,
/// served from the package's embedded assets (no CDN: registries often run without internet).
/// </summary>
public static class ApiDocs
{
    public const string DocumentPath = "/api/openapi.json";
    public const string ViewerPrefix = "api";

    public static IServiceCollection AddApiDocs(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        // Only the Library API: not the UI's own endpoints (account forms, browser uploads, downloads).
        options.ShouldInclude = description => LibraryApi.IsApiPath("/" + description.RelativePath)
            || Sregistry.SregistryPlumbing.IsSregistryPath("/" + description.RelativePath);
        // Every failure, whatever the endpoint, is the same envelope.
        options.AddOperationTransformer(async (operation, context, ct) =>
        {
            operation.Responses ??= new OpenApiResponses();
            operation.Responses["default"] = new OpenApiResponse
            {
                Description = "The error envelope, with the HTTP status repeated as code",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(ErrorEnvelope), null, ct) },
                },
            };
        });
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Registry Library API",
                Version = ServiceApi.ApiVersion,
                Description = "The Sylabs Library API that `apptainer push/pull library://` speaks, and the Singularity Hub manifest behind `pull shub://`. " +
                    "Every answer is `{\"data\": …}` or `{\"error\": {\"code\", \"message\"}}`. " +
                    "Send a token created at [/auth/tokens](/auth/tokens) as `Authorization: Bearer <token>`; anonymous requests see public collections only. " +
                    "The sregistry-cli endpoints (`/api/...`, `/upload`) answer errors as `{\"detail\": …}` and also take its `SREGISTRY-HMAC-SHA256` signatures, keyed with such a token. " +
                    "[← Back to the registry](/)",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                ["token"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API token from /auth/tokens.",
                },
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("token", document)] = [] }];
            return Task.CompletedTask;
        });
    });

    public static void UseApiDocs(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).WithName("OpenApiDocument").ExcludeFromDescription();
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = ViewerPrefix;
            ui.DocumentTitle = "Registry API";
            ui.SwaggerEndpoint(DocumentPath, "Registry Library API");
            ui.ConfigObject.ValidatorUrl = null; // the public validator badge would call out to the internet
        });
    }

    /// <summary>Name, summary and tag in one place so the document groups endpoints the way docs/library-api.md does.</summary>
    internal static RouteHandlerBuilder Doc(this RouteHandlerBuilder endpoint, string tag, string name, string summary) =>
        endpoint.WithTags(tag).WithName(name).WithSummary(summary);

    /// <summary>The success answer's shape (<c>{"data": T}</c>) for the document; the endpoint itself returns an IResult.</summary>
    internal static RouteHandlerBuilder Returns<T>(this RouteHandlerBuilder endpoint) => endpoint.Produces<DataEnvelope<T>>();

    /// <summary>
    /// Endpoints read their JSON body themselves (the Go client sends no Content-Type), so the document is told its shape here.
    /// Not <c>Accepts&lt;T&gt;</c>: that also makes routing refuse requests without a JSON Content-Type (415).
    /// </summary>
    internal static RouteHandlerBuilder Body<T>(this RouteHandlerBuilder endpoint, string contentType = "application/json") =>
        endpoint.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, ct);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { [contentType] = new() { Schema = schema } },
            };
        });
}

/// <summary>Documentation shapes of the envelope (docs/library-api.md §Envelope); the wire format comes from <see cref="Envelope"/>.</summary>
public sealed record DataEnvelope<T>(T Data);

public sealed record ErrorEnvelope(ErrorBody Error);

public sealed record ErrorBody(int Code, string Message);
