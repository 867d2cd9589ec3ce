using System.Security.Cryptography;

namespace Registry.Tests.Oci;

/// <summary>
/// An OCI image-layout directory holding one SIF the way apptainer pushes it (see ../shared/OCI.md): the empty config
/// <c>{}</c>, the SIF as the one layer, and a manifest under a tag in <c>index.json</c>. What skopeo copies from.
/// </summary>
public static class OciLayout
{
    /// <summary>Writes the layout to <paramref name="directory"/>; answers the manifest bytes.</summary>
    public static async Task<byte[]> WriteAsync(string directory, string sifPath, string tag)
    {
        var blobs = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        var sif = await File.ReadAllBytesAsync(sifPath);
        var manifest = OciClient.SifManifestOf(sif, Path.GetFileName(sifPath));
        foreach (var blob in new[] { "{}"u8.ToArray(), sif, manifest })
            await File.WriteAllBytesAsync(Path.Combine(blobs, Hex(blob)), blob);
        await File.WriteAllTextAsync(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        await File.WriteAllTextAsync(Path.Combine(directory, "index.json"),
            "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + $"\"digest\":\"sha256:{Hex(manifest)}\",\"size\":{manifest.Length},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"{tag}\"}}}}]}}");
        return manifest;
    }

    /// <summary>The bytes of blob <paramref name="digest"/> in a layout skopeo wrote.</summary>
    public static Task<byte[]> ReadBlobAsync(string directory, string digest) =>
        File.ReadAllBytesAsync(Path.Combine(directory, "blobs", "sha256", digest["sha256:".Length..]));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
