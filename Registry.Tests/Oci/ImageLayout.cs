using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Registry.Tests.Oci;

/// <summary>
/// OCI image layouts of ordinary container images, made here (no network): a multi-layer image with gzip tar layers and
/// a config, and a multi-arch index of two such images. What skopeo copies into the reference registry and Registry.
/// </summary>
public sealed class ImageLayout(string directory)
{
    public const string ManifestType = "application/vnd.oci.image.manifest.v1+json";
    public const string IndexType = "application/vnd.oci.image.index.v1+json";
    private readonly JsonArray _refs = [];

    public string Directory => directory;

    /// <summary>An image of <paramref name="layers"/> gzip tar layers (each a few files of random bytes) for one platform.</summary>
    public async Task<(string Digest, byte[] Manifest)> AddImageAsync(string arch, int layers, int bytesPerLayer)
    {
        var diffIds = new JsonArray();
        var layerDescriptors = new JsonArray();
        for (var i = 0; i < layers; i++)
        {
            var (tar, gz) = Layer($"{arch}-layer{i}", bytesPerLayer);
            diffIds.Add("sha256:" + Hex(tar));
            layerDescriptors.Add(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = await BlobAsync(gz), ["size"] = gz.Length });
        }
        var config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = arch, ["os"] = "linux", ["created"] = "2026-12-07T00:00:00Z",
            ["config"] = new JsonObject { ["Cmd"] = new JsonArray("/bin/sh") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = diffIds },
        }.ToJsonString());
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = ManifestType,
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = await BlobAsync(config), ["size"] = config.Length },
            ["layers"] = layerDescriptors,
        }.ToJsonString());
        return (await BlobAsync(manifest), manifest);
    }

    /// <summary>Names an image manifest in <c>index.json</c> under <paramref name="tag"/>.</summary>
    public void Tag(string tag, string mediaType, string digest, long size) =>
        _refs.Add(new JsonObject { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size,
            ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag } });

    /// <summary>An index of one image per architecture, tagged <paramref name="tag"/>; answers its digest and bytes.</summary>
    public async Task<(string Digest, byte[] Index)> AddIndexAsync(string tag, params string[] arches)
    {
        var manifests = new JsonArray();
        foreach (var arch in arches)
        {
            var (digest, manifest) = await AddImageAsync(arch, 2, 40_000);
            manifests.Add(new JsonObject { ["mediaType"] = ManifestType, ["digest"] = digest, ["size"] = manifest.Length,
                ["platform"] = new JsonObject { ["architecture"] = arch, ["os"] = "linux" } });
        }
        var index = Encoding.UTF8.GetBytes(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = IndexType, ["manifests"] = manifests }.ToJsonString());
        var indexDigest = await BlobAsync(index);
        Tag(tag, IndexType, indexDigest, index.Length);
        return (indexDigest, index);
    }

    /// <summary>Writes <c>oci-layout</c> and <c>index.json</c> naming everything tagged so far.</summary>
    public async Task SaveAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        await File.WriteAllTextAsync(Path.Combine(directory, "index.json"), new JsonObject { ["schemaVersion"] = 2, ["manifests"] = _refs.DeepClone() }.ToJsonString());
    }

    private async Task<string> BlobAsync(byte[] bytes)
    {
        var blobs = Path.Combine(directory, "blobs", "sha256");
        System.IO.Directory.CreateDirectory(blobs);
        await File.WriteAllBytesAsync(Path.Combine(blobs, Hex(bytes)), bytes);
        return "sha256:" + Hex(bytes);
    }

    private static (byte[] Tar, byte[] Gzip) Layer(string name, int bytes)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            for (var f = 0; f < 3; f++)
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{name}/file{f}.bin")
                    { DataStream = new MemoryStream(RandomNumberGenerator.GetBytes(bytes / 3)), ModificationTime = DateTimeOffset.UnixEpoch });
        using var gz = new MemoryStream();
        using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) zip.Write(tar.ToArray());
        return (tar.ToArray(), gz.ToArray());
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
