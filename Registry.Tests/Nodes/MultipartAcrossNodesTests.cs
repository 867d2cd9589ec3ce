using System.Net;
using System.Security.Cryptography;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// Each node keeps a running hash of the upload parts it received. A part sent again through another node changes the
/// shared staged file behind that hash: the node completing the upload must hash what the file holds, or an uploader could
/// publish other bytes under a digest, and (verified bytes replace a stored copy) overwrite another user's image.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class MultipartAcrossNodesTests
{
    private const int PartSize = 5 * 1024 * 1024;

    [Fact]
    public async Task A_part_rewritten_through_another_node_cannot_publish_other_bytes_under_the_images_digest()
    {
        await using var nodes = await SharedNodes.StartAsync(2, new HostSetup { ["Registry:MultipartPartSize"] = PartSize.ToString() });
        // The victim's image, private: nobody else gets it by its hash, so the attacker has to upload.
        var victim = RegistryFixture.Unique("victim");
        await nodes[0].CreateUserAsync(victim);
        var victimClient = new LibraryClient(TestHttp.Client(new Uri(nodes[0].BaseUrl), await nodes[0].CreateTokenAsync(victim)));
        var file = SifBuilder.Bytes(3 * PartSize);
        var (_, entity) = await victimClient.GetAsync($"/v1/entities/{victim}");
        (await victimClient.PostAsync("/v1/collections", new { name = "private", entity = (string)entity!["data"]!["id"]!, @private = true }))
            .Status.ShouldBe(HttpStatusCode.OK);
        await victimClient.PushAsync(victim, "private", "tool", file, "v1");

        var attacker = RegistryFixture.Unique("attacker");
        await nodes[0].CreateUserAsync(attacker);
        var token = await nodes[0].CreateTokenAsync(attacker);
        var onA = new LibraryClient(TestHttp.Client(new Uri(nodes[0].BaseUrl), token));
        var onB = new LibraryClient(TestHttp.Client(new Uri(nodes[1].BaseUrl), token));
        await onA.PushAsync(attacker, "tools", "seed", SifBuilder.Bytes(4096), "v1"); // makes the collection
        var (_, tools) = await onA.GetAsync($"/v1/collections/{attacker}/tools");
        var (_, container) = await onA.PostAsync("/v1/containers", new { name = "copy", collection = (string)tools!["data"]!["id"]! });
        var (_, image) = await onA.PostAsync("/v1/images", new { hash = "sha256." + Hex(file), container = (string)container!["data"]!["id"]!, description = "" });
        var imageId = (string)image!["data"]!["id"]!;
        var (_, start) = await onA.PostAsync($"/v2/imagefile/{imageId}/_multipart", new { filesize = file.Length });
        var uploadId = (string)start!["data"]!["uploadID"]!;

        var forged = file.ToArray();
        forged[10] ^= 0xff;
        var tokens = new List<object>
        {
            new { partNumber = 1, token = await PutPartAsync(onA, imageId, uploadId, 1, file[..PartSize]) }, // A hashes the true part
        };
        await PutPartAsync(onB, imageId, uploadId, 1, forged[..PartSize]); // B writes other bytes over it
        for (var n = 2; n <= 3; n++)
            tokens.Add(new { partNumber = n, token = await PutPartAsync(onA, imageId, uploadId, n, file[((n - 1) * PartSize)..(n * PartSize)]) });
        var (status, body) = await onA.PutAsync($"/v2/imagefile/{imageId}/_multipart_complete", new { uploadID = uploadId, completedParts = tokens });

        status.ShouldBe(HttpStatusCode.BadRequest, body?.ToJsonString());
        ((string)body!["error"]!["message"]!).ShouldContain("checksum mismatch");
        (await victimClient.PullAsync($"{victim}/private/tool:v1")).ShouldBe(file);
        var victimOnB = new LibraryClient(TestHttp.Client(new Uri(nodes[1].BaseUrl), await nodes[1].CreateTokenAsync(victim)));
        (await victimOnB.PullAsync($"{victim}/private/tool:v1")).ShouldBe(file);
    }

    private static Task<string> PutPartAsync(LibraryClient through, string imageId, string uploadId, int n, byte[] chunk) =>
        MultipartPush.PutPartAsync(through, imageId, uploadId, n, chunk, withChecksum: false); // no part hash: the node has only the bytes

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
