using System.Net;
using System.Security.Cryptography;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// A node (re)starting on a data folder other nodes serve leaves their open uploads alone: start-up recovery closes
/// sessions only when this node is the folder's only server (a crash of the only server leaves nobody to finish them).
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class NodeRestartTests
{
    [Fact]
    public async Task A_node_starting_beside_a_serving_node_does_not_abort_its_open_upload()
    {
        var data = Directory.CreateTempSubdirectory("registry-restart-").FullName;
        try
        {
            await using var a = await RegistryServer.StartAsync(new HostSetup { DataPath = data });
            var owner = RegistryFixture.Unique("busy");
            await a.CreateUserAsync(owner);
            var token = await a.CreateTokenAsync(owner);
            using var http = TestHttp.Client(new Uri(a.BaseUrl), token);
            var library = new LibraryClient(http);
            await library.PushAsync(owner, "tools", "first", SifBuilder.Bytes(16 * 1024), "1.0"); // the collection exists

            // An upload session open on A: its URL handed out, no byte sent yet.
            var file = SifBuilder.Bytes(256 * 1024);
            var hash = Convert.ToHexStringLower(SHA256.HashData(file));
            var container = await library.PostAsync("/v1/containers", new { name = "second", collection = await IdAsync(library, $"/v1/collections/{owner}/tools") });
            var image = await library.PostAsync("/v1/images", new { hash = "sha256." + hash, container = (string)container.Body!["data"]!["id"]!, description = "" });
            var imageId = (string)image.Body!["data"]!["id"]!;
            var start = await library.PostAsync($"/v2/imagefile/{imageId}", new { filesize = file.Length, sha256sum = hash, md5sum = "" });
            var uploadUrl = (string)start.Body!["data"]!["uploadURL"]!;

            // Another node starts on the same folder (a restart of a second node looks the same) ...
            await using (var b = await RegistryServer.StartAsync(new HostSetup { DataPath = data }))
                (await b.Http.GetAsync("/version")).StatusCode.ShouldBe(HttpStatusCode.OK);

            // ... and A's client finishes its push as if nothing happened.
            using var put = await new HttpClient().PutAsync(uploadUrl, new ByteArrayContent(file));
            put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
            (await library.SendAsync(HttpMethod.Put, $"/v2/imagefile/{imageId}/_complete", "{}")).Status.ShouldBe(HttpStatusCode.OK);
            (await library.PullAsync($"{owner}/tools/second:sha256.{hash}")).ShouldBe(file);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<string> IdAsync(LibraryClient library, string path) =>
        (string)(await library.SendAsync(HttpMethod.Get, path)).Body!["data"]!["id"]!;
}
