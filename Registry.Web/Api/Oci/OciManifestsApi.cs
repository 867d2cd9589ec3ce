using Registry.Core.Oci;

namespace Registry.Web.Api.Oci;

/// <summary>
/// <c>/v2/&lt;name&gt;/manifests/&lt;reference&gt;</c> and <c>tags/list</c>. Every manifest answer carries
/// <c>Docker-Content-Digest</c>. See: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-manifests
/// </summary>
public static class OciManifestsApi
{
    public static async Task<IResult> GetAsync(HttpContext context, OciManifests manifests)
    {
        var request = context.Request();
        var found = await manifests.GetAsync(OciCaller.ActorOf(context), request.Repository, request.Reference!, context.RequestAborted);
        if (!found.Succeeded) return OciErrors.From(context, found, OciErrors.ManifestUnknown, OciErrors.ManifestInvalid, OciBlobsApi.PullScope(request));
        var manifest = found.Value!;
        context.Response.Headers["Docker-Content-Digest"] = manifest.Digest.Oci();
        return Results.Bytes(manifest.Content, manifest.MediaType, entityTag: new($"\"{manifest.Digest.Oci()}\""));
    }

    public static async Task<IResult> PutAsync(HttpContext context, OciManifestWriter writer)
    {
        var request = context.Request();
        if (await ReadAsync(context) is not { } body)
            return await OciErrors.FinalAsync(context, 413, OciErrors.ManifestInvalid, $"a manifest is at most {OciLimits.MaxManifestBytes} bytes here");
        var put = await writer.PutAsync(OciCaller.ActorOf(context), request.Repository, request.Reference!, body, context.Request.ContentType, context.RequestAborted);
        if (!put.Succeeded)
            return OciErrors.From(context, put, put.Message.StartsWith("blob ", StringComparison.Ordinal) ? OciErrors.ManifestBlobUnknown : OciErrors.NameUnknown,
                OciErrors.ManifestInvalid);
        var digest = put.Value!.Digest.Oci();
        context.Response.Headers.Location = $"/v2/{request.Repository}/manifests/{digest}";
        context.Response.Headers["Docker-Content-Digest"] = digest;
        if (put.Value.Subject is { } subject) context.Response.Headers["OCI-Subject"] = subject.Oci();
        return Results.StatusCode(201);
    }

    public static async Task<IResult> DeleteAsync(HttpContext context, OciManifestWriter writer)
    {
        var request = context.Request();
        var deleted = await writer.DeleteAsync(OciCaller.ActorOf(context), request.Repository, request.Reference!, context.RequestAborted);
        return deleted.Succeeded ? Results.StatusCode(202) : OciErrors.From(context, deleted, OciErrors.ManifestUnknown, OciErrors.ManifestInvalid);
    }

    public static async Task<IResult> ReferrersAsync(HttpContext context, OciReferrers referrers)
    {
        var request = context.Request();
        OciRefs.TryParseDigest(request.Digest, out var subject);
        var artifactType = context.Request.Query["artifactType"].FirstOrDefault();
        var list = await referrers.ListAsync(OciCaller.ActorOf(context), request.Repository, subject, artifactType, context.RequestAborted);
        if (!list.Succeeded) return OciErrors.From(context, list, OciErrors.NameUnknown, OciErrors.DigestInvalid, OciBlobsApi.PullScope(request));
        if (list.Value!.Filtered) context.Response.Headers["OCI-Filters-Applied"] = "artifactType";
        return Results.Bytes(list.Value.Index, "application/vnd.oci.image.index.v1+json");
    }

    public static async Task<IResult> TagsAsync(HttpContext context, OciManifests manifests)
    {
        var request = context.Request();
        var n = request.N is null ? (int?)null : int.Parse(request.N);
        var page = await manifests.TagsAsync(OciCaller.ActorOf(context), request.Repository, n, request.Last, context.RequestAborted);
        if (!page.Succeeded) return OciErrors.From(context, page, OciErrors.NameUnknown, OciErrors.Unsupported, OciBlobsApi.PullScope(request));
        var tags = page.Value!;
        // See: spec §Listing Tags — a Link header names the next page.
        if (tags.More && tags.Tags.Count > 0)
            context.Response.Headers.Link = $"</v2/{request.Repository}/tags/list?n={tags.Tags.Count}&last={Uri.EscapeDataString(tags.Tags[^1])}>; rel=\"next\"";
        return Results.Json(new { name = tags.Name, tags = tags.Tags });
    }

    public static async Task<IResult> CatalogAsync(HttpContext context, OciCatalog catalog, FluentValidation.IValidator<OciCatalogRequest> validator)
    {
        var request = new OciCatalogRequest(context.Request.Query["n"].FirstOrDefault(), context.Request.Query["last"].FirstOrDefault());
        var valid = await validator.ValidateAsync(request, context.RequestAborted);
        if (!valid.IsValid) return OciErrors.Error(400, valid.Errors[0].ErrorCode, valid.Errors[0].ErrorMessage);
        var (names, more) = await catalog.ListAsync(OciCaller.ActorOf(context), request.N is null ? null : int.Parse(request.N), request.Last, context.RequestAborted);
        if (more && names.Count > 0) context.Response.Headers.Link = $"</v2/_catalog?n={names.Count}&last={Uri.EscapeDataString(names[^1])}>; rel=\"next\"";
        return Results.Json(new { repositories = names });
    }

    /// <summary>The body, bounded: null when it is longer than a manifest may be.</summary>
    private static async Task<byte[]?> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength > OciLimits.MaxManifestBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        try
        {
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > OciLimits.MaxManifestBytes) return null;
                buffer.Write(chunk, 0, read);
            }
        }
        // A chunked body (no Content-Length) hits the endpoint's body limit inside Kestrel first: the same refusal.
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return null; }
        return buffer.ToArray();
    }
}
