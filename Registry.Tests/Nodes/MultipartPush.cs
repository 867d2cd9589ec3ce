using System.Net;
using System.Security.Cryptography;
using Registry.Tests.Api;

namespace Registry.Tests.Nodes;

/// <summary>
/// A Library API multipart push (docs/library-api.md) through two nodes: started on <paramref name="first"/>, odd parts
/// through it, even parts and the completion through <paramref name="second"/>.
/// </summary>
public sealed class MultipartPush(LibraryClient first, LibraryClient second, string entity, string container, byte[] file)
{
    private string _imageId = "", _uploadId = "", _containerId = "";
    private long _partSize;
    private int _parts;

    /// <summary>Sends every part, <paramref name="pauseBetweenParts"/> apart, completes and tags <c>v1</c>.</summary>
    public async Task RunAsync(TimeSpan pauseBetweenParts)
    {
        await StartAsync();
        var parts = new List<object>();
        for (var n = 1; n <= _parts; n++)
        {
            if (n > 1) await Task.Delay(pauseBetweenParts);
            parts.Add(new { partNumber = n, token = await PutPartAsync(n % 2 == 1 ? first : second, n) });
        }
        var (status, done) = await second.PutAsync($"/v2/imagefile/{_imageId}/_multipart_complete", new { uploadID = _uploadId, completedParts = parts });
        status.ShouldBe(HttpStatusCode.OK, done?.ToJsonString());
        (await second.PostAsync($"/v2/tags/{_containerId}", new { Arch = "amd64", Tag = "v1", ImageID = _imageId })).Status.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>Starts the upload and sends its first part only: staged bytes no one completes.</summary>
    public async Task AbandonAfterFirstPartAsync()
    {
        await StartAsync();
        await PutPartAsync(first, 1);
    }

    private async Task StartAsync()
    {
        var (_, collection) = await first.GetAsync($"/v1/collections/{entity}/tools");
        var (_, made) = await first.PostAsync("/v1/containers", new { name = container, collection = (string)collection!["data"]!["id"]! });
        _containerId = (string)made!["data"]!["id"]!;
        var (_, image) = await first.PostAsync("/v1/images", new { hash = "sha256." + Hex(file), container = _containerId, description = "" });
        _imageId = (string)image!["data"]!["id"]!;
        var (status, start) = await first.PostAsync($"/v2/imagefile/{_imageId}/_multipart", new { filesize = file.Length });
        status.ShouldBe(HttpStatusCode.OK, start?.ToJsonString());
        (_uploadId, _partSize, _parts) = ((string)start!["data"]!["uploadID"]!, start["data"]!["partSize"]!.GetValue<long>(), start["data"]!["totalParts"]!.GetValue<int>());
    }

    private Task<string> PutPartAsync(LibraryClient through, int n) =>
        PutPartAsync(through, _imageId, _uploadId, n, file.Skip((int)((n - 1) * _partSize)).Take((int)_partSize).ToArray());

    /// <summary>
    /// Sends part <paramref name="n"/> of an upload <paramref name="through"/> a node (the part request, then its bytes to
    /// the presigned URL) and answers its ETag; <paramref name="withChecksum"/> false sends an empty <c>sha256sum</c>, as a
    /// client may, so the node has no part hash to hold the bytes to.
    /// </summary>
    public static async Task<string> PutPartAsync(LibraryClient through, string imageId, string uploadId, int n, byte[] chunk, bool withChecksum = true)
    {
        var (status, part) = await through.PutAsync($"/v2/imagefile/{imageId}/_multipart",
            new { partSize = chunk.Length, uploadID = uploadId, partNumber = n, sha256sum = withChecksum ? Hex(chunk) : "" });
        status.ShouldBe(HttpStatusCode.OK, part?.ToJsonString());
        using var plain = new HttpClient();
        var put = await plain.PutAsync((string)part!["data"]!["presignedURL"]!, new ByteArrayContent(chunk));
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        return put.Headers.ETag!.ToString();
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
