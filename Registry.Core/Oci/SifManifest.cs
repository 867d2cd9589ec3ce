using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>
/// The OCI manifest of a SIF as apptainer pushes it: one layer that is the whole SIF, and an empty JSON config.
/// See: docs/oci.md §SIF manifests, ../shared/OCI.md.
/// </summary>
public static class SifManifest
{
    public const string ManifestType = "application/vnd.oci.image.manifest.v1+json";
    public const string ConfigType = "application/vnd.sylabs.sif.config.v1+json";
    public const string LayerType = "application/vnd.sylabs.sif.layer.v1.sif";
    /// <summary>The layer type apptainer's early releases wrote (a typo it still accepts on pull).</summary>
    public const string LegacyLayerType = "appliciation/vnd.sylabs.sif.layer.tar";

    /// <summary>The config body every SIF manifest points at: <c>{}</c>. Served from memory, never stored.</summary>
    public static readonly byte[] EmptyConfig = "{}"u8.ToArray();
    public static readonly Digest EmptyConfigDigest = new(Convert.ToHexStringLower(SHA256.HashData(EmptyConfig)));

    /// <summary>
    /// The manifest served for an image that arrived without one (a Library API push): a function of the SIF's hash and
    /// size and the container's name only, so its digest is the same on every request and every node.
    /// </summary>
    public static byte[] Build(string containerName, Digest sif, long size)
    {
        var json = "{\"schemaVersion\":2,\"mediaType\":\"" + ManifestType + "\",\"config\":{\"mediaType\":\"" + ConfigType
            + "\",\"digest\":\"" + EmptyConfigDigest.Oci() + "\",\"size\":2},\"layers\":[{\"mediaType\":\"" + LayerType
            + "\",\"digest\":\"" + sif.Oci() + "\",\"size\":" + size + ",\"annotations\":{\"org.opencontainers.image.title\":"
            + JsonSerializer.Serialize(containerName + ".sif") + "}}]}";
        return Encoding.UTF8.GetBytes(json);
    }

    public static Digest DigestOf(byte[] manifest) => new(Convert.ToHexStringLower(SHA256.HashData(manifest)));

    /// <summary>What a pushed manifest says, or why it is not a SIF manifest this registry stores.</summary>
    public static Result<SifLayer> Parse(byte[] body, string? contentType)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(body); }
        catch (JsonException) { return Result.Invalid("the manifest is not valid JSON"); }
        if (root is not JsonObject manifest) return Result.Invalid("the manifest must be a JSON object");
        try
        {
            var type = (string?)manifest["mediaType"] ?? contentType;
            if (type != ManifestType)
                return Result.Invalid($"only OCI image manifests ({ManifestType}) of SIF images are stored here so far, not '{Clip(type)}'");
            if ((int?)manifest["schemaVersion"] != 2) return Result.Invalid("schemaVersion must be 2");
            if ((string?)manifest["config"]?["mediaType"] != ConfigType)
                return Result.Invalid($"only SIF artifacts (config {ConfigType}) are stored here so far; other OCI artifacts and container images are not");
            if (!OciRefs.TryParseDigest((string?)manifest["config"]?["digest"], out var config) || config != EmptyConfigDigest)
                return Result.Invalid("a SIF manifest's config must be the empty JSON object {}");
            if (manifest["layers"] is not JsonArray { Count: 1 } layers || layers[0] is not JsonObject layer)
                return Result.Invalid("a SIF manifest has exactly one layer: the SIF file");
            var layerType = (string?)layer["mediaType"];
            if (layerType != LayerType && layerType != LegacyLayerType) return Result.Invalid($"the layer's media type must be {LayerType}");
            if (!OciRefs.TryParseDigest((string?)layer["digest"], out var digest)) return Result.Invalid("the layer's digest must be sha256:<64 lowercase hex>");
            var size = (long?)layer["size"] ?? -1;
            if (size < 0) return Result.Invalid("the layer's size must be a non-negative number");
            return new SifLayer(digest, size);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            return Result.Invalid("the manifest's fields have the wrong JSON types");
        }
    }

    private static string Clip(string? s) => s is null ? "" : s.Length <= 80 ? s : s[..80] + "…";
}

/// <summary>The SIF a manifest points at.</summary>
public sealed record SifLayer(Digest Digest, long Size);
