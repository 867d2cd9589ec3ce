namespace Registry.Web.Api.Sregistry;

/// <summary>
/// The Singularity Registry Server API that sregistry-cli's <c>registry</c> backend speaks. See: SREGISTRY-CLI.md.
/// The pull manifest (<c>GET /api/container/…</c>) is <see cref="ShubApi"/>'s, shared with <c>apptainer pull shub://</c>.
/// </summary>
public static class SregistryApi
{
    private const string Tag = "sregistry-cli";

    public static void MapSregistryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/registry/identity", SregistryListing.IdentityAsync).Doc(Tag, "SregistryIdentity", "The registry's name and URL (discovery)");
        app.MapGet("/api/collections", SregistryListing.CollectionsAsync)
            .Doc(Tag, "SregistryCollections", "Visible collections with their containers, DRF pages (all on the first page unless limit/offset)");
        app.MapGet("/api/collection/{collection}", SregistryListing.CollectionAsync).Doc(Tag, "SregistryCollection", "One collection's containers");
        app.MapGet("/api/container/search/collection/{collection}/name/{name}", SregistryListing.SearchAsync)
            .Doc(Tag, "SregistrySearchInCollection", "Containers of that name in a collection");
        app.MapGet("/api/container/search/collection/{collection}/name/{name}/tag/{tag}", SregistryListing.SearchAsync)
            .Doc(Tag, "SregistrySearchInCollectionTag", "One tag of a container in a collection");
        app.MapGet("/api/container/search/name/{name}", SregistryListing.SearchAsync).Doc(Tag, "SregistrySearchName", "Containers of that name in any visible collection");
        app.MapGet("/api/container/search/name/{name}/tag/{tag}", SregistryListing.SearchAsync).Doc(Tag, "SregistrySearchNameTag", "A tag of containers of that name");
        app.MapGet("/api/labels/search", SregistryListing.LabelsAsync).Doc(Tag, "SregistryLabels", "Every label of visible images, with the containers carrying it");
        app.MapGet("/api/labels/search/{key}/key", SregistryListing.LabelsAsync).Doc(Tag, "SregistryLabelsByKey", "Labels with this key");
        app.MapGet("/api/labels/search/{value}/value", SregistryListing.LabelsAsync).Doc(Tag, "SregistryLabelsByValue", "Labels with this value");
        app.MapGet("/api/labels/search/{key}/key/{value}/value", SregistryListing.LabelsAsync).Doc(Tag, "SregistryLabelsByKeyValue", "Labels with this key and value");
        app.MapDelete("/api/container/{collection}/{spec}", SregistryDeleteApi.DeleteAsync)
            .Doc(Tag, "SregistryDelete", "Delete collection/name:tag (a delete signature of an owner or admin; frozen tags refuse)");
        app.MapPost("/api/upload/chunked_upload", SregistryPushApi.PrepareAsync)
            .Doc(Tag, "SregistryPushStart", "Start a push (push signature): answers the collection id {\"cid\"}").Body<Core.Sregistry.SregistryPushRequest>();
        app.MapPost("/upload", SregistryPushApi.UploadAsync).StreamsBody()
            .Doc(Tag, "SregistryUpload", "The pushed file, streamed multipart/form-data (SREGISTRY_EVENT, name, collection, tag, file1)")
            .Body<Stream>("multipart/form-data");

        // Anything else under these prefixes is answered here in the API's form, not by the web UI's not-found page.
        foreach (var prefix in new[] { "/api/collections", "/api/collection", "/api/container", "/api/labels", "/api/registry", "/api/upload" })
            app.Map(prefix + "/{**rest}", (HttpContext context) => Detail.Error(404, $"{context.Request.Method} {context.Request.Path} is not part of this API"))
                .ExcludeFromDescription();
    }
}

/// <summary>Helpers for the sregistry routes' names.</summary>
public static class SregistryRoutes
{
    /// <summary><c>name:tag</c> (or <c>name@version</c>) → name and tag, <c>latest</c> when none; lowercased like the client.</summary>
    public static (string Name, string Tag) SplitTag(string spec)
    {
        spec = spec.Split('@')[0].ToLowerInvariant();
        var colon = spec.IndexOf(':');
        return colon < 0 ? (spec, "latest") : (spec[..colon], spec[(colon + 1)..]);
    }

    /// <summary>The segment after <paramref name="label"/> in a search path (<c>…/name/&lt;n&gt;/tag/&lt;t&gt;</c>), else empty.</summary>
    public static string Field(string[] segments, string label)
    {
        var at = Array.IndexOf(segments, label, 1);
        return at > 0 && at + 1 < segments.Length ? segments[at + 1].ToLowerInvariant() : "";
    }
}
