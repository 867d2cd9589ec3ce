using System.Net;
using System.Security.Cryptography;

namespace Registry.Tests.Api;

/// <summary>
/// Multipart completion uses the whole-file hash kept while parts arrive. Whatever order or repetition the parts come in,
/// only bytes that hash to the image become a blob.
/// </summary>
public class MultipartHashTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private const int PartSize = 5 * 1024 * 1024;

    private sealed record Upload(LibraryClient Client, string ImageId, string UploadId);

    private async Task<Upload> StartAsync(string owner, byte[] imageBytes)
    {
        var (_, token) = await factory.CreateUserAsync(owner);
        var client = new LibraryClient(factory.Client(token));
        var (_, e) = await client.GetAsync($"/v1/entities/{owner}");
        var (_, c) = await client.PostAsync("/v1/collections", new { name = "c", entity = (string)e!["data"]!["id"]! });
        var (_, x) = await client.PostAsync("/v1/containers", new { name = "x", collection = (string)c!["data"]!["id"]! });
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + Hex(imageBytes), container = (string)x!["data"]!["id"]! });
        var imageId = (string)image!["data"]!["id"]!;
        var (_, start) = await client.PostAsync($"/v2/imagefile/{imageId}/_multipart", new { filesize = imageBytes.Length });
        return new Upload(client, imageId, (string)start!["data"]!["uploadID"]!);
    }

    // No sha256 announced for the part: only the whole-file check stands between these bytes and a blob.
    private static async Task PutPartAsync(Upload u, int n, byte[] bytes)
    {
        var (status, part) = await u.Client.PutAsync($"/v2/imagefile/{u.ImageId}/_multipart", new { partSize = bytes.Length, uploadID = u.UploadId, partNumber = n, sha256sum = "" });
        status.ShouldBe(HttpStatusCode.OK);
        (await new HttpClient().PutAsync((string)part!["data"]!["presignedURL"]!, new ByteArrayContent(bytes))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task<string> PutPartForETagAsync(Upload u, int n, byte[] bytes)
    {
        var (_, part) = await u.Client.PutAsync($"/v2/imagefile/{u.ImageId}/_multipart", new { partSize = bytes.Length, uploadID = u.UploadId, partNumber = n, sha256sum = "" });
        var put = await new HttpClient().PutAsync((string)part!["data"]!["presignedURL"]!, new ByteArrayContent(bytes));
        put.StatusCode.ShouldBe(HttpStatusCode.OK);
        return put.Headers.ETag!.ToString();
    }

    private static Task<(HttpStatusCode, System.Text.Json.Nodes.JsonNode?)> CompleteAsync(Upload u) =>
        u.Client.PutAsync($"/v2/imagefile/{u.ImageId}/_multipart_complete",
            new { uploadID = u.UploadId, completedParts = Enumerable.Range(1, 3).Select(n => new { partNumber = n, token = "etag" }) });

    private static byte[] Part(byte[] file, int n) => file.Skip((n - 1) * PartSize).Take(PartSize).ToArray();

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private string[] Blobs() => Directory.EnumerateFiles(Path.Combine(factory.DataPath, "blobs"), "*", SearchOption.AllDirectories).ToArray();

    private async Task<bool> UploadedAsync(Upload u, string owner, byte[] file)
    {
        var (_, image) = await u.Client.GetAsync($"/v1/images/{owner}/c/x:sha256.{Hex(file)}");
        return image!["data"]!["uploaded"]!.GetValue<bool>();
    }

    [Fact]
    public async Task Parts_out_of_order_still_complete_with_the_right_hash()
    {
        var file = SifBuilder.Bytes(3 * PartSize - 100);
        var u = await StartAsync("outoforder", file);
        foreach (var n in new[] { 2, 1, 3 }) await PutPartAsync(u, n, Part(file, n));

        var (status, body) = await CompleteAsync(u);
        status.ShouldBe(HttpStatusCode.OK, body?.ToJsonString());
        (await UploadedAsync(u, "outoforder", file)).ShouldBeTrue();
        File.ReadAllBytes(Blobs().Single(b => b.EndsWith(Hex(file)))).ShouldBe(file);
    }

    [Fact]
    public async Task Parts_in_order_are_hashed_once_and_tagged_with_the_hash_of_the_upload_so_far()
    {
        var file = SifBuilder.Bytes(3 * PartSize - 100);
        var u = await StartAsync("inorder", file);
        // Each part only advanced the whole-file hash; its ETag is that hash's value at the end of the part.
        (await PutPartForETagAsync(u, 1, Part(file, 1))).ShouldBe($"\"{Hex(file[..PartSize])}\"");
        (await PutPartForETagAsync(u, 2, Part(file, 2))).ShouldBe($"\"{Hex(file[..(2 * PartSize)])}\"");
        // A part that arrives out of order can't advance that hash, so it is hashed on its own.
        var gapped = SifBuilder.Bytes(3 * PartSize - 100);
        var u2 = await StartAsync("gapfirst", gapped);
        (await PutPartForETagAsync(u2, 3, Part(gapped, 3))).ShouldBe($"\"{Hex(Part(gapped, 3))}\"");
        (await u2.Client.PutAsync($"/v2/imagefile/{u2.ImageId}/_multipart_abort", new { uploadID = u2.UploadId })).Item1.ShouldBe(HttpStatusCode.OK);

        (await PutPartForETagAsync(u, 3, Part(file, 3))).ShouldBe($"\"{Hex(file)}\"");
        var (status, body) = await CompleteAsync(u);
        status.ShouldBe(HttpStatusCode.OK, body?.ToJsonString());
        (await UploadedAsync(u, "inorder", file)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_part_sent_again_with_other_bytes_is_caught_at_completion()
    {
        var file = SifBuilder.Bytes(3 * PartSize - 100);
        var u = await StartAsync("resent", file);
        for (var n = 1; n <= 3; n++) await PutPartAsync(u, n, Part(file, n));
        // Part 2 again, corrupted: the running hash saw the good bytes, the file now holds bad ones.
        var corrupt = Part(file, 2);
        corrupt[1000] ^= 0xff;
        await PutPartAsync(u, 2, corrupt);
        var blobsBefore = Blobs();

        var (status, body) = await CompleteAsync(u);
        status.ShouldBe(HttpStatusCode.BadRequest);
        body!["error"]!["message"]!.GetValue<string>().ShouldContain("checksum mismatch");
        Blobs().ShouldBe(blobsBefore);
        Directory.EnumerateFiles(Path.Combine(factory.DataPath, "tmp")).ShouldBeEmpty();
        (await UploadedAsync(u, "resent", file)).ShouldBeFalse();
    }

    [Fact]
    public async Task Parts_in_order_that_are_not_the_image_are_refused()
    {
        var file = SifBuilder.Bytes(2 * PartSize + 7);
        var u = await StartAsync("wrongwhole", file);
        var other = SifBuilder.Bytes(file.Length);
        await PutPartAsync(u, 1, Part(other, 1));
        await PutPartAsync(u, 2, Part(other, 2));
        await PutPartAsync(u, 3, Part(other, 3));
        var blobsBefore = Blobs();

        var (status, body) = await CompleteAsync(u);
        status.ShouldBe(HttpStatusCode.BadRequest);
        body!["error"]!["message"]!.GetValue<string>().ShouldContain($"sha256.{Hex(other)}");
        Blobs().ShouldBe(blobsBefore);
        (await UploadedAsync(u, "wrongwhole", file)).ShouldBeFalse();
    }
}
