using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Collections;
using Registry.Core.Sregistry;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api.Sregistry;

/// <summary>What <c>sregistry search</c> reads. Anonymous callers see public collections; a signature adds the signer's.</summary>
public static class SregistryListing
{
    public const int MaxLimit = 1000;

    public static IResult IdentityAsync(HttpContext context, IOptions<RegistryOptions> options) =>
        Results.Json(new { name = options.Value.Name, id = options.Value.Name.ToLowerInvariant(), url = context.BaseUrl() });

    /// <summary>
    /// DRF-style pages. Without limit/offset everything is on the first page and <c>next</c> is null: the client requests
    /// its first URL again while <c>next</c> is set, so a partial first page would loop forever.
    /// </summary>
    public static async Task<IResult> CollectionsAsync(HttpContext context, SregistryCatalog catalog, CatalogueCache cache, string? limit, string? offset)
    {
        if (!Number(limit, out var asked) || !Number(offset, out var skip)) return Detail.Error(400, "limit and offset must be whole numbers, 0 or more");
        return await cache.AnswerAsync(context, () => CollectionsPageAsync(context, catalog, limit is null && offset is null, asked, skip));
    }

    private static async Task<(int, object)> CollectionsPageAsync(HttpContext context, SregistryCatalog catalog, bool everything, int? asked, int? skip)
    {
        var take = everything ? int.MaxValue : Math.Clamp(asked ?? MaxLimit, 1, MaxLimit);
        var (page, count) = await catalog.PageAsync(context.GetActor(), skip ?? 0, take, context.RequestAborted);
        var start = Math.Min(skip ?? 0, count);
        var rows = (await catalog.RowsAsync(page, ct: context.RequestAborted)).ToLookup(r => r.CollectionId);
        var url = $"{context.BaseUrl()}/api/collections/";
        return (StatusCodes.Status200OK, new
        {
            count,
            next = !everything && start + take < count ? $"{url}?limit={take}&offset={start + take}" : null,
            previous = !everything && start > 0 ? $"{url}?limit={take}&offset={Math.Max(0, start - take)}" : null,
            results = page.Select(c => Collection(context, c, rows[c.Id])),
        });
    }

    public static Task<IResult> CollectionAsync(HttpContext context, SregistryCatalog catalog, CatalogueCache cache, string collection) =>
        cache.AnswerAsync(context, async () =>
        {
            collection = collection.ToLowerInvariant();
            if (!Names.IsValid(collection)) return Detail.Body(400, $"not a valid collection name: use {Names.Rule}");
            var found = await catalog.CollectionsAsync(context.GetActor(), collection, context.RequestAborted);
            if (found.Count == 0) return Detail.Body(404, $"collection {collection} not found");
            if (found.Count > 1)
                return Detail.Body(409, $"several entities have a collection named {collection}: " + string.Join(", ", found.Select(c => $"library://{c.Entity}/{c.Name}")));
            return (StatusCodes.Status200OK, Collection(context, found[0], await catalog.RowsAsync(found, ct: context.RequestAborted)));
        });

    public static Task<IResult> SearchAsync(HttpContext context, SregistryCatalog catalog, CatalogueCache cache, string name, string? collection = null, string? tag = null) =>
        cache.AnswerAsync(context, async () =>
        {
            (name, collection, tag) = (name.ToLowerInvariant(), collection?.ToLowerInvariant(), tag?.ToLowerInvariant());
            if (SregistryNames.Problem(collection ?? "any", name, tag ?? "latest") is { } problem) return Detail.Body(400, problem);
            var visible = await catalog.CollectionsAsync(context.GetActor(), collection, context.RequestAborted);
            var rows = await catalog.RowsAsync(visible, name, tag, context.RequestAborted);
            return (StatusCodes.Status200OK, rows.Select(r => Container(context, r)));
        });

    public static Task<IResult> LabelsAsync(HttpContext context, SregistryCatalog catalog, CatalogueCache cache, string? key = null, string? value = null) =>
        cache.AnswerAsync(context, async () =>
        {
            if (key?.Length > 1024 || value?.Length > 4096) return Detail.Body(400, "label key or value too long");
            var labels = await catalog.LabelsAsync(context.GetActor(), key, value, context.RequestAborted);
            return (StatusCodes.Status200OK, labels.Select(l => new { key = l.Key, value = l.Value, containers = l.Containers }));
        });

    private static object Collection(HttpContext context, CollectionSummary c, IEnumerable<SregistryRow> rows) => new
    {
        id = c.Id,
        name = c.Name,
        entity = c.Entity,
        @private = c.IsPrivate,
        containers = rows.Select(r => Container(context, r)),
    };

    private static object Container(HttpContext context, SregistryRow r) => new
    {
        id = r.ImageId,
        collection = r.Collection,
        name = r.Container,
        tag = r.Tag,
        uri = r.Uri,
        detail = $"{context.BaseUrl()}/{r.Entity}/{r.Collection}/{r.Container}",
        version = "sha256." + r.Hash,
        size = r.Size,
        frozen = r.Frozen,
        signed = r.Signed, // a verified signature (see docs: signatures are checked against this registry's keyserver)
        fingerprints = r.SignedBy.Split(' ', StringSplitOptions.RemoveEmptyEntries),
    };

    private static bool Number(string? raw, out int? value)
    {
        value = null;
        if (raw is null) return true;
        if (!int.TryParse(raw, System.Globalization.NumberStyles.None, null, out var n)) return false;
        value = n;
        return true;
    }
}
