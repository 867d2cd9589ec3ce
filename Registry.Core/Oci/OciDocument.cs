using System.Text.Json;
using System.Text.Json.Nodes;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>A descriptor a manifest names: a blob (config, layer) or, in an index, a child manifest.</summary>
public sealed record OciDescriptor(string MediaType, Digest Digest, long Size, bool Foreign);

/// <summary>
/// A pushed manifest, read as far as the registry needs: its media type, the blobs (image manifest) or child manifests
/// (index) it names, its <c>subject</c> and artifact type. Docker v2 schema 2 and OCI media types; schema 1 is refused.
/// See: https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md, …/image-index.md
/// </summary>
public sealed record OciDocument(string MediaType, bool IsIndex, OciDescriptor? Config, List<OciDescriptor> Layers,
    List<OciDescriptor> Manifests, Digest? Subject, string? ArtifactType, JsonObject Json)
{
    public const string OciManifest = SifManifest.ManifestType;
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerList = "application/vnd.docker.distribution.manifest.list.v2+json";

    private static readonly string[] ImageTypes = [OciManifest, DockerManifest];
    private static readonly string[] IndexTypes = [OciIndex, DockerList];

    /// <summary>The blobs an image manifest needs in the repository (foreign layers with URLs are fetched elsewhere).</summary>
    public IEnumerable<OciDescriptor> Blobs => (Config is null ? Layers : Layers.Prepend(Config)).Where(d => !d.Foreign);

    public static Result<OciDocument> Parse(byte[] body, string? contentType)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(body); }
        catch (JsonException) { return Result.Invalid("the manifest is not valid JSON"); }
        if (root is not JsonObject json) return Result.Invalid("the manifest must be a JSON object");
        try
        {
            if ((int?)json["schemaVersion"] != 2) return Result.Invalid("schemaVersion must be 2 (schema 1 manifests are not stored)");
            var declared = (string?)json["mediaType"];
            // An OCI manifest may omit mediaType: the Content-Type then names it, or its shape does.
            var type = declared ?? (contentType is { } c && (ImageTypes.Contains(c) || IndexTypes.Contains(c)) ? c
                : json["manifests"] is not null ? OciIndex : OciManifest);
            if (declared is not null && contentType is not null && ContentTypeOf(contentType) is { } sent && sent != declared
                && (ImageTypes.Contains(sent) || IndexTypes.Contains(sent)))
                return Result.Invalid($"the manifest says mediaType {Clip(declared)} but was sent as {Clip(sent)}");
            var subject = json["subject"] is JsonObject s ? Descriptor(s, "subject") : null;
            if (subject?.Failure is { } bad) return bad;
            var artifactType = (string?)json["artifactType"];
            if (IndexTypes.Contains(type))
            {
                if (json["manifests"] is not JsonArray children) return Result.Invalid("an index lists its manifests");
                var manifests = new List<OciDescriptor>();
                foreach (var child in children)
                {
                    if (child is not JsonObject o || Descriptor(o, "manifests[]") is not { } d) return Result.Invalid("each entry of manifests must be a descriptor");
                    if (d.Failure is { } f) return f;
                    manifests.Add(d.Value!);
                }
                return new OciDocument(type, true, null, [], manifests, subject?.Value?.Digest, artifactType, json);
            }
            if (!ImageTypes.Contains(type)) return Result.Invalid($"'{Clip(type)}' is not a manifest type stored here: use OCI or Docker v2 schema 2 manifests and indexes");
            if (json["config"] is not JsonObject configJson || Descriptor(configJson, "config") is not { } config) return Result.Invalid("an image manifest has a config descriptor");
            if (config.Failure is { } cf) return cf;
            if (json["layers"] is not JsonArray layersJson) return Result.Invalid("an image manifest lists its layers");
            var layers = new List<OciDescriptor>();
            foreach (var layer in layersJson)
            {
                if (layer is not JsonObject o || Descriptor(o, "layers[]") is not { } d) return Result.Invalid("each entry of layers must be a descriptor");
                if (d.Failure is { } f) return f;
                layers.Add(d.Value!);
            }
            return new OciDocument(type, false, config.Value, layers, [], subject?.Value?.Digest, artifactType, json);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            return Result.Invalid("the manifest's fields have the wrong JSON types");
        }
    }

    /// <summary>What a referrers list says of a manifest: its artifact type, else its config's media type.</summary>
    public string? ReferrerType => ArtifactType ?? Config?.MediaType;

    private sealed record Parsed(OciDescriptor? Value, Result.Failure? Failure);

    private static Parsed? Descriptor(JsonObject o, string where)
    {
        var mediaType = (string?)o["mediaType"];
        var digest = (string?)o["digest"];
        var size = (long?)o["size"] ?? -1;
        if (mediaType is null || digest is null) return null;
        if (!OciRefs.TryParseDigest(digest, out var d)) return new Parsed(null, Result.Invalid($"{where}: '{Clip(digest)}' is not a supported digest: use sha256:<64 lowercase hex>"));
        if (size < 0) return new Parsed(null, Result.Invalid($"{where}: size must be a non-negative number"));
        return new Parsed(new OciDescriptor(mediaType, d, size, o["urls"] is JsonArray { Count: > 0 }), null);
    }

    private static string? ContentTypeOf(string contentType) => contentType.Split(';')[0].Trim() is { Length: > 0 } t ? t : null;

    private static string Clip(string? s) => s is null ? "" : s.Length <= 80 ? s : s[..80] + "…";
}
