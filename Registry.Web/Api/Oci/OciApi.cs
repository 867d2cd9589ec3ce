using FluentValidation;
using Registry.Core.Oci;

namespace Registry.Web.Api.Oci;

/// <summary>
/// The OCI distribution API on <c>/v2/</c>: a second face of the same containers, images and tags. See: docs/oci.md.
/// Every repository route declares the action it needs; the group's filter validates the path and query
/// (<see cref="OciRequestValidator"/>) and checks the caller's token covers that action before the handler runs.
/// </summary>
public static class OciApi
{
    private const string Repo = "/v2/{entity}/{collection}/{container}";
    private const string Tag = "OCI distribution";

    public static void MapOciApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v2", Base).Doc(Tag, "OciBase", "API version check: 200 for anyone, with the Bearer challenge when no token was sent");
        app.MapGet("/v2/token", OciTokenApi.IssueAsync).Doc(Tag, "OciToken", "A short-lived token for scopes repository:<name>:pull,push,delete (Basic: user name and API token)");

        var repo = app.MapGroup(Repo).AddEndpointFilter(CheckAsync);
        repo.MapMethods("/blobs/{digest}", ["GET", "HEAD"], OciBlobsApi.GetAsync).Needs("pull").Doc(Tag, "OciBlobGet", "A blob (Range supported)");
        repo.MapDelete("/blobs/{digest}", OciBlobsApi.DeleteAsync).Needs("delete").Doc(Tag, "OciBlobDelete", "Unlink a blob pushed into this repository");
        repo.MapPost("/blobs/uploads", OciUploadsApi.StartAsync).Needs("push").StreamsBody().Doc(Tag, "OciUploadStart", "Start an upload, or upload whole with ?digest=");
        repo.MapPatch("/blobs/uploads/{session}", OciUploadsApi.PatchAsync).Needs("push").StreamsBody().Doc(Tag, "OciUploadPatch", "Append to an upload (streamed, or a chunk with Content-Range)");
        repo.MapPut("/blobs/uploads/{session}", OciUploadsApi.PutAsync).Needs("push").StreamsBody().Doc(Tag, "OciUploadPut", "Finish an upload against ?digest=");
        repo.MapGet("/blobs/uploads/{session}", OciUploadsApi.StatusAsync).Needs("push").Doc(Tag, "OciUploadStatus", "Where an upload stands (Range)");
        repo.MapDelete("/blobs/uploads/{session}", OciUploadsApi.CancelAsync).Needs("push").Doc(Tag, "OciUploadCancel", "Drop an upload");
        repo.MapMethods("/manifests/{reference}", ["GET", "HEAD"], OciManifestsApi.GetAsync).Needs("pull").Doc(Tag, "OciManifestGet", "A manifest by tag or digest");
        repo.MapPut("/manifests/{reference}", OciManifestsApi.PutAsync).Needs("push").WithBodyLimit(OciLimits.MaxManifestBytes + 1)
            .Doc(Tag, "OciManifestPut", "Push a manifest or index by tag or digest (a SIF manifest becomes an image)");
        repo.MapDelete("/manifests/{reference}", OciManifestsApi.DeleteAsync).Needs("delete").Doc(Tag, "OciManifestDelete", "Delete an image by digest, or a tag");
        repo.MapGet("/referrers/{digest}", OciManifestsApi.ReferrersAsync).Needs("pull").Doc(Tag, "OciReferrers", "Manifests whose subject is this digest (OCI 1.1), ?artifactType= filter");
        repo.MapGet("/tags/list", OciManifestsApi.TagsAsync).Needs("pull").Doc(Tag, "OciTags", "Tags, n/last paging");
        // Anything else on an OCI path: the OCI error body, not the Library envelope.
        repo.Map("/{kind}/{**rest}", (HttpContext c) => OciErrors.Error(404, OciErrors.Unsupported, $"{c.Request.Method} {c.Request.Path} is not part of this API"))
            .ExcludeFromDescription();
        app.MapGet("/v2/_catalog", OciManifestsApi.CatalogAsync).Doc(Tag, "OciCatalog", "Repositories the caller may see, n/last paging");
    }

    /// <summary>The repository and references of the request, valid (set by the filter).</summary>
    public static OciRequest Request(this HttpContext context) => (OciRequest)context.Items[nameof(OciRequest)]!;

    private static IResult Base(HttpContext context)
    {
        // Anonymous callers learn where to log in; pulls of public repositories work without it.
        if (!OciCaller.Of(context).HasToken) OciErrors.SetChallenge(context, null);
        return OciCaller.Of(context).HasToken ? Results.Json(new { }) : OciErrors.Error(401, OciErrors.Unauthorized, "authentication required");
    }

    private sealed record Action(string Name);

    private static RouteHandlerBuilder Needs(this RouteHandlerBuilder builder, string action) => builder.WithMetadata(new Action(action));

    private static async ValueTask<object?> CheckAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var action = context.GetEndpoint()?.Metadata.GetMetadata<Action>()?.Name;
        if (action is null) return await next(invocation);
        var route = context.Request.RouteValues;
        var query = context.Request.Query;
        string? Value(string key) => route.TryGetValue(key, out var v) ? v?.ToString() : null;
        string? Query(string key) => query.TryGetValue(key, out var v) ? v.ToString() : null;
        var request = new OciRequest(Value("entity"), Value("collection"), Value("container"), Value("reference"), Value("digest"),
            Query("digest"), Query("n"), Query("last"));
        var valid = await context.RequestServices.GetRequiredService<IValidator<OciRequest>>().ValidateAsync(request, context.RequestAborted);
        if (!valid.IsValid) return OciErrors.Error(400, valid.Errors[0].ErrorCode, valid.Errors[0].ErrorMessage);
        context.Items[nameof(OciRequest)] = request;

        var repository = request.Repository.ToString();
        var caller = OciCaller.Of(context);
        var allowed = caller.Grant?.Allows(repository, action) ?? action == "pull";
        if (!allowed)
            return OciErrors.Challenge(context, caller.HasToken ? $"the token does not grant {action} on {repository}" : "authentication required",
                $"repository:{repository}:{(action == "pull" ? "pull" : "pull," + action)}");
        return await next(invocation);
    }
}
