using System.Text;
using System.Text.Json;

namespace Registry.Core.Oci;

/// <summary>
/// The OCI image index <c>/v2/</c> serves for a Library tag set on several architectures: one child per architecture,
/// each the SIF manifest served for that image alone, with platform <c>linux/&lt;arch&gt;</c> (arm64 with variant v8, as
/// go-containerregistry and containers/image match it). Built on demand from the children's digests and sizes only,
/// ordered by architecture, so its digest is the same on every request and node while the tag names the same images.
/// A tag on one architecture stays a plain manifest, which every apptainer release pulls.
/// See: https://github.com/opencontainers/image-spec/blob/v1.1.0/image-index.md, docs/oci.md §SIF manifests
/// </summary>
public static class SifIndex
{
    public static OciManifestBody Build(IEnumerable<(string Arch, OciManifestBody Child)> children)
    {
        var json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OciDocument.OciIndex + "\",\"manifests\":[");
        var first = true;
        foreach (var (arch, child) in children.OrderBy(c => c.Arch, StringComparer.Ordinal))
        {
            if (!first) json.Append(',');
            first = false;
            json.Append("{\"mediaType\":\"").Append(child.MediaType).Append("\",\"digest\":\"").Append(child.Digest.Oci())
                .Append("\",\"size\":").Append(child.Content.Length)
                .Append(",\"platform\":{\"architecture\":").Append(JsonSerializer.Serialize(arch)).Append(",\"os\":\"linux\"");
            if (VariantOf(arch) is { } variant) json.Append(",\"variant\":\"").Append(variant).Append('"');
            json.Append("}}");
        }
        var content = Encoding.UTF8.GetBytes(json.Append("]}").ToString());
        return new OciManifestBody(content, OciDocument.OciIndex, SifManifest.DigestOf(content));
    }

    // The variant every arm64 Linux has; clients asking for linux/arm64/v8 skip a child without it, those asking for
    // linux/arm64 take either. Other architectures' SIF headers name no variant.
    private static string? VariantOf(string arch) => arch == "arm64" ? "v8" : null;
}
