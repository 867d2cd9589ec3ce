using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Registry.Tests.Api;

/// <summary>Upload flows: verification, multipart, dedupe, and that nothing half-written becomes visible.</summary>
public class UploadTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private async Task<(LibraryClient Client, string ContainerId)> ContainerAsync(string owner, string container)
    {
        var (_, token) = await factory.CreateUserAsync(owner);
        var client = new LibraryClient(factory.Client(token));
        var (_, e) = await client.GetAsync($"/v1/entities/{owner}");
        var (_, c) = await client.PostAsync("/v1/collections", new { name = "c", entity = (string)e!["data"]!["id"]! });
        var (_, x) = await client.PostAsync("/v1/containers", new { name = container, collection = (string)c!["data"]!["id"]! });
        return (client, (string)x!["data"]!["id"]!);
    }

    private static async Task<string> NewImageAsync(LibraryClient client, string containerId, byte[] file)
    {
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + Hex(file), container = containerId });
        return (string)image!["data"]!["id"]!;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private string[] StoredFiles() =>
        Directory.EnumerateFiles(Path.Combine(factory.DataPath, "blobs"), "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(factory.DataPath, "tmp"))).ToArray();

    [Fact]
    public async Task Wrong_bytes_are_refused_and_nothing_is_kept()
    {
        var (client, containerId) = await ContainerAsync("mismatch", "x");
        var file = SifBuilder.Bytes(5000);
        var imageId = await NewImageAsync(client, containerId, file);
        var (_, start) = await client.PostAsync($"/v2/imagefile/{imageId}", new { filesize = file.Length, sha256sum = Hex(file) });
        var before = StoredFiles();

        var wrong = SifBuilder.Bytes(5000);
        var put = await new HttpClient().PutAsync((string)start!["data"]!["uploadURL"]!, new ByteArrayContent(wrong));
        put.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await put.Content.ReadAsStringAsync()).ShouldContain("checksum mismatch");

        StoredFiles().ShouldBe(before);
        var (completeStatus, _) = await client.SendAsync(HttpMethod.Put, $"/v2/imagefile/{imageId}/_complete", "{}");
        completeStatus.ShouldBe(HttpStatusCode.NotFound);
        var (_, image) = await client.GetAsync($"/v1/images/mismatch/c/x:sha256.{Hex(file)}");
        image!["data"]!["uploaded"]!.GetValue<bool>().ShouldBeFalse();
        (await client.Http.GetAsync($"/v1/imagefile/mismatch/c/x:sha256.{Hex(file)}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Multipart_upload_verifies_each_part_and_the_whole()
    {
        var (client, containerId) = await ContainerAsync("parts", "big");
        var file = SifBuilder.Bytes(12 * 1024 * 1024 + 17);
        var imageId = await NewImageAsync(client, containerId, file);
        var (_, start) = await client.PostAsync($"/v2/imagefile/{imageId}/_multipart", new { filesize = file.Length });
        var data = start!["data"]!;
        var partSize = data["partSize"]!.GetValue<long>();
        partSize.ShouldBe(5 * 1024 * 1024);
        data["totalParts"]!.GetValue<int>().ShouldBe(3);
        var uploadId = (string)data["uploadID"]!;

        // A part whose bytes do not match its announced sha256 is refused.
        var (_, bad) = await client.PutAsync($"/v2/imagefile/{imageId}/_multipart", new { partSize, uploadID = uploadId, partNumber = 1, sha256sum = new string('0', 64) });
        var refused = await new HttpClient().PutAsync((string)bad!["data"]!["presignedURL"]!, new ByteArrayContent(file[..(int)partSize]));
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var parts = new List<object>();
        for (var n = 1; n <= 3; n++)
        {
            var chunk = file.Skip((n - 1) * (int)partSize).Take((int)partSize).ToArray();
            var (status, part) = await client.PutAsync($"/v2/imagefile/{imageId}/_multipart", new { partSize = chunk.Length, uploadID = uploadId, partNumber = n, sha256sum = Hex(chunk) });
            status.ShouldBe(HttpStatusCode.OK);
            var put = await new HttpClient().PutAsync((string)part!["data"]!["presignedURL"]!, new ByteArrayContent(chunk));
            put.StatusCode.ShouldBe(HttpStatusCode.OK);
            parts.Add(new { partNumber = n, token = put.Headers.ETag!.ToString() });
        }
        var (doneStatus, done) = await client.PutAsync($"/v2/imagefile/{imageId}/_multipart_complete", new { uploadID = uploadId, completedParts = parts });
        doneStatus.ShouldBe(HttpStatusCode.OK, done?.ToJsonString());
        done!["data"]!["containerUrl"]!.GetValue<string>().ShouldBe("/parts/c/big");

        var (_, image) = await client.GetAsync($"/v1/images/parts/c/big:sha256.{Hex(file)}");
        image!["data"]!["size"]!.GetValue<long>().ShouldBe(file.Length);
        image["data"]!["uploaded"]!.GetValue<bool>().ShouldBeTrue();
        Directory.EnumerateFiles(Path.Combine(factory.DataPath, "tmp")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Someone_elses_upload_session_cannot_be_touched()
    {
        var (client, containerId) = await ContainerAsync("session-owner", "x");
        var file = SifBuilder.Bytes(10 * 1024 * 1024);
        var imageId = await NewImageAsync(client, containerId, file);
        var (_, start) = await client.PostAsync($"/v2/imagefile/{imageId}/_multipart", new { filesize = file.Length });
        var uploadId = (string)start!["data"]!["uploadID"]!;

        var (_, intruderToken) = await factory.CreateUserAsync("intruder");
        var intruder = new LibraryClient(factory.Client(intruderToken));
        var (status, body) = await intruder.PutAsync($"/v2/imagefile/{imageId}/_multipart_abort", new { uploadID = uploadId });
        status.ShouldBe(HttpStatusCode.Forbidden);
        body!["error"]!["message"]!.GetValue<string>().ShouldContain("may not push");
        (await client.PutAsync($"/v2/imagefile/{imageId}/_multipart_abort", new { uploadID = uploadId })).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_blob_the_registry_has_is_not_uploaded_again()
    {
        var (client, containerId) = await ContainerAsync("dedupe", "first");
        var file = SifBuilder.Bytes(3000);
        await client.PushAsync("dedupe", "c", "first", file, "latest");
        var (_, c) = await client.GetAsync("/v1/collections/dedupe/c");
        var (_, x) = await client.PostAsync("/v1/containers", new { name = "second", collection = (string)c!["data"]!["id"]! });
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + Hex(file), container = (string)x!["data"]!["id"]! });
        image!["data"]!["uploaded"]!.GetValue<bool>().ShouldBeTrue();
        image["data"]!["size"]!.GetValue<long>().ShouldBe(3000);
    }

    [Fact]
    public async Task Legacy_v1_upload_stores_and_verifies()
    {
        var (client, containerId) = await ContainerAsync("legacy", "x");
        var file = SifBuilder.Bytes(4096);
        var imageId = await NewImageAsync(client, containerId, file);
        var response = await client.Http.PostAsync($"/v1/imagefile/{imageId}", new ByteArrayContent(file));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var (_, image) = await client.GetAsync($"/v1/images/legacy/c/x:sha256.{Hex(file)}");
        image!["data"]!["uploaded"]!.GetValue<bool>().ShouldBeTrue();
    }
}
