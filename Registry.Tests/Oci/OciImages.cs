using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Registry.Tests.Oci;

/// <summary>Small container images and artifacts pushed over raw HTTP with <see cref="OciClient"/>.</summary>
public static class OciImages
{
    /// <summary>Pushes a config and <paramref name="layers"/> random layers and the image manifest by <paramref name="reference"/>.</summary>
    public static async Task<(HttpResponseMessage Response, byte[] Manifest)> PushImageAsync(this OciClient oci, string repo, string reference,
        int layers = 2, JsonObject? extra = null)
    {
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        (await oci.PushBlobAsync(repo, config)).EnsureSuccessStatusCode();
        var descriptors = new JsonArray();
        for (var i = 0; i < layers; i++)
        {
            var layer = RandomNumberGenerator.GetBytes(2000 + i);
            (await oci.PushBlobAsync(repo, layer)).EnsureSuccessStatusCode();
            descriptors.Add(Descriptor("application/vnd.oci.image.layer.v1.tar", layer));
        }
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", config), ["layers"] = descriptors,
        };
        foreach (var (key, value) in extra ?? []) manifest[key] = value?.DeepClone();
        var bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        return (await oci.PutManifestAsync(repo, reference, bytes), bytes);
    }

    /// <summary>An artifact (empty config, one layer) whose <c>subject</c> is <paramref name="subject"/>.</summary>
    public static async Task<(HttpResponseMessage Response, byte[] Manifest)> PushReferrerAsync(this OciClient oci, string repo, byte[] subject,
        string artifactType, string note)
    {
        var blob = Encoding.UTF8.GetBytes(note);
        (await oci.PushBlobAsync(repo, blob)).EnsureSuccessStatusCode();
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["artifactType"] = artifactType,
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.empty.v1+json", ["digest"] = OciClient.Digest("{}"u8.ToArray()), ["size"] = 2 },
            ["layers"] = new JsonArray(Descriptor("text/plain", blob)),
            ["subject"] = Descriptor("application/vnd.oci.image.manifest.v1+json", subject),
            ["annotations"] = new JsonObject { ["org.example.note"] = note },
        };
        var bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        return (await oci.PutManifestAsync(repo, OciClient.Digest(bytes), bytes), bytes);
    }

    public static JsonObject Descriptor(string mediaType, byte[] bytes) =>
        new() { ["mediaType"] = mediaType, ["digest"] = OciClient.Digest(bytes), ["size"] = bytes.Length };
}
