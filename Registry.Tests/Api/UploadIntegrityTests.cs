using System.Net;
using System.Security.Cryptography;
using Registry.Tests.Faults;

namespace Registry.Tests.Api;

/// <summary>
/// Requests racing on one upload: a second writer on the same URL, bytes that arrive after completion, parts sent twice,
/// completions sent at once. Whatever the order, a published blob holds exactly the bytes its name says, and only once.
/// </summary>
public class UploadIntegrityTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(30);

    private sealed record Upload(LibraryClient Client, string Owner, string ImageId, byte[] File);

    private async Task<Upload> NewImageAsync(string owner, int size)
    {
        var (_, token) = await factory.CreateUserAsync(owner);
        var client = new LibraryClient(factory.Client(token));
        var (_, e) = await client.GetAsync($"/v1/entities/{owner}");
        var (_, c) = await client.PostAsync("/v1/collections", new { name = "c", entity = (string)e!["data"]!["id"]! });
        var (_, x) = await client.PostAsync("/v1/containers", new { name = "x", collection = (string)c!["data"]!["id"]! });
        var file = SifBuilder.Bytes(size);
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + Hex(file), container = (string)x!["data"]!["id"]! });
        return new Upload(client, owner, (string)image!["data"]!["id"]!, file);
    }

    private static async Task<Uri> UploadUrlAsync(Upload u)
    {
        var (_, start) = await u.Client.PostAsync($"/v2/imagefile/{u.ImageId}", new { filesize = u.File.Length, sha256sum = Hex(u.File) });
        return new Uri((string)start!["data"]!["uploadURL"]!);
    }

    private static Task<(HttpStatusCode Status, System.Text.Json.Nodes.JsonNode? Body)> CompleteAsync(Upload u) =>
        u.Client.SendAsync(HttpMethod.Put, $"/v2/imagefile/{u.ImageId}/_complete", "{}");

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>What a pull serves, or null when the image is not pullable; and every stored blob hashes to its name.</summary>
    private async Task<byte[]?> PullAsync(Upload u)
    {
        foreach (var blob in Directory.EnumerateFiles(Path.Combine(factory.DataPath, "blobs"), "*", SearchOption.AllDirectories))
            Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(blob))).ShouldBe(Path.GetFileName(blob), "a stored blob does not hash to its name");
        return await u.Client.PullAsync($"{u.Owner}/c/x:sha256.{Hex(u.File)}");
    }

    [Fact]
    public async Task A_second_PUT_while_one_is_writing_gets_409_and_writes_nothing()
    {
        var u = await NewImageAsync("writer-one", 400_000);
        var url = await UploadUrlAsync(u);
        await using var first = await HeldRequest.OpenAsync(url, "PUT", u.File.Length);
        await first.SendAsync(u.File.AsMemory(0, 100_000));
        await Task.Delay(300); // the first request holds the upload now

        var second = await new HttpClient().PutAsync(url, new ByteArrayContent(SifBuilder.Bytes(u.File.Length)));
        second.StatusCode.ShouldBe(HttpStatusCode.Conflict);

        await first.SendAsync(u.File.AsMemory(100_000));
        (await first.ResponseAsync(Answer))!.Status.ShouldBe(200);
        (await CompleteAsync(u)).Status.ShouldBe(HttpStatusCode.OK);
        (await PullAsync(u)).ShouldBe(u.File);
    }

    [Fact]
    public async Task Bytes_sent_on_an_upload_URL_after_completion_never_reach_the_published_blob()
    {
        // The review's repro: a second connection sends only the PUT's head, the genuine body goes on a first connection,
        // the upload completes, and then the second connection sends its bytes.
        var u = await NewImageAsync("late-writer", 300_000);
        var url = await UploadUrlAsync(u);
        await using var attacker = await HeldRequest.OpenAsync(url, "PUT", u.File.Length);
        await Task.Delay(300);
        var genuine = await new HttpClient().PutAsync(url, new ByteArrayContent(u.File));
        var completed = genuine.IsSuccessStatusCode && (await CompleteAsync(u)).Status == HttpStatusCode.OK;

        var poison = SifBuilder.Bytes(u.File.Length);
        await attacker.SendAsync(poison);
        var late = await attacker.ResponseAsync(Answer);
        late.ShouldNotBeNull();
        late.Status.ShouldBeInRange(400, 499);

        var pulled = await PullAsync(u);
        if (completed) pulled.ShouldBe(u.File);
        else pulled.ShouldBeNull(); // the held request won the upload and sent wrong bytes: refused, nothing published

        // The genuine client pushes again if it has to, and gets its bytes back.
        if (!completed) await u.Client.PushAsync(u.Owner, "c", "x", u.File);
        (await PullAsync(u)).ShouldBe(u.File);
        (await new HttpClient().PutAsync(url, new ByteArrayContent(poison))).StatusCode.ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.Conflict);
        (await PullAsync(u)).ShouldBe(u.File);
    }

    [Fact]
    public async Task Concurrent_PUTs_on_one_part_URL_publish_only_bytes_that_hash_to_the_image()
    {
        var u = await NewImageAsync("racing-parts", 7 * 1024 * 1024);
        var (_, start) = await u.Client.PostAsync($"/v2/imagefile/{u.ImageId}/_multipart", new { filesize = u.File.Length });
        var uploadId = (string)start!["data"]!["uploadID"]!;
        const int partSize = 5 * 1024 * 1024;
        var urls = new List<string>();
        for (var n = 1; n <= 2; n++)
        {
            var length = Math.Min(partSize, u.File.Length - (n - 1) * partSize);
            var (_, part) = await u.Client.PutAsync($"/v2/imagefile/{u.ImageId}/_multipart", new { partSize = length, uploadID = uploadId, partNumber = n, sha256sum = "" });
            urls.Add((string)part!["data"]!["presignedURL"]!);
        }
        // Four writers on part 1 at once, three of them with other bytes, as a retrying client or an attacker sends them.
        var bodies = new[] { u.File[..partSize], SifBuilder.Bytes(partSize), SifBuilder.Bytes(partSize), SifBuilder.Bytes(partSize) };
        var answers = await Task.WhenAll(bodies.Select(b => new HttpClient().PutAsync(urls[0], new ByteArrayContent(b))));
        answers.Count(a => a.StatusCode == HttpStatusCode.OK).ShouldBeGreaterThanOrEqualTo(1);
        answers.ShouldAllBe(a => a.StatusCode == HttpStatusCode.OK || a.StatusCode == HttpStatusCode.Conflict);
        (await new HttpClient().PutAsync(urls[1], new ByteArrayContent(u.File[partSize..]))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var (status, _) = await u.Client.PutAsync($"/v2/imagefile/{u.ImageId}/_multipart_complete",
            new { uploadID = uploadId, completedParts = new[] { new { partNumber = 1, token = "a" }, new { partNumber = 2, token = "b" } } });
        var pulled = await PullAsync(u);
        if (status == HttpStatusCode.OK) pulled.ShouldBe(u.File);
        else
        {
            status.ShouldBe(HttpStatusCode.BadRequest); // wrong bytes won part 1: the whole-file hash refused them
            pulled.ShouldBeNull();
        }
    }

    [Fact]
    public async Task A_part_sent_again_with_other_bytes_after_it_was_hashed_cannot_skip_the_whole_file_check()
    {
        var u = await NewImageAsync("part-twice", 7 * 1024 * 1024);
        var (_, start) = await u.Client.PostAsync($"/v2/imagefile/{u.ImageId}/_multipart", new { filesize = u.File.Length });
        var uploadId = (string)start!["data"]!["uploadID"]!;
        const int partSize = 5 * 1024 * 1024;
        async Task PutPartAsync(int n, byte[] bytes)
        {
            var (_, part) = await u.Client.PutAsync($"/v2/imagefile/{u.ImageId}/_multipart", new { partSize = bytes.Length, uploadID = uploadId, partNumber = n, sha256sum = "" });
            (await new HttpClient().PutAsync((string)part!["data"]!["presignedURL"]!, new ByteArrayContent(bytes))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        await PutPartAsync(1, u.File[..partSize]);   // fed into the running hash
        await PutPartAsync(1, SifBuilder.Bytes(partSize)); // overwrites bytes the running hash already covers
        await PutPartAsync(2, u.File[partSize..]);

        var (status, body) = await u.Client.PutAsync($"/v2/imagefile/{u.ImageId}/_multipart_complete",
            new { uploadID = uploadId, completedParts = new[] { new { partNumber = 1, token = "a" }, new { partNumber = 2, token = "b" } } });
        status.ShouldBe(HttpStatusCode.BadRequest);
        body!.ToJsonString().ShouldContain("checksum mismatch");
        (await PullAsync(u)).ShouldBeNull();
    }

    [Fact]
    public async Task Twenty_concurrent_completions_all_answer_and_publish_once()
    {
        var u = await NewImageAsync("complete-race", 200_000);
        var url = await UploadUrlAsync(u);
        (await new HttpClient().PutAsync(url, new ByteArrayContent(u.File))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => CompleteAsync(u)));
        answers.ShouldAllBe(a => a.Status == HttpStatusCode.OK, string.Join("; ", answers.Select(a => $"{a.Status} {a.Body?.ToJsonString()}")));
        (await PullAsync(u)).ShouldBe(u.File);
        var (_, audit) = await u.Client.GetAsync($"/v1/images/{u.Owner}/c/x:sha256.{Hex(u.File)}");
        audit!["data"]!["uploaded"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task A_SIF_header_with_overflowing_offsets_is_refused_at_completion_and_never_published()
    {
        var u = await NewImageAsync("crafted", 10_000);
        // One used descriptor whose offset + size overflows a 64-bit integer.
        var file = u.File;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(128), 0x4003); // labels
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(128 + 4), 1);  // used
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(128 + 17), long.MaxValue - 10);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(128 + 25), 100);
        var (_, x) = await u.Client.GetAsync($"/v1/containers/{u.Owner}/c/x");
        var (_, image) = await u.Client.PostAsync("/v1/images", new { hash = "sha256." + Hex(file), container = (string)x!["data"]!["id"]! });
        var crafted = u with { ImageId = (string)image!["data"]!["id"]!, File = file };

        var url = await UploadUrlAsync(crafted);
        (await new HttpClient().PutAsync(url, new ByteArrayContent(file))).StatusCode.ShouldBe(HttpStatusCode.OK);
        for (var i = 0; i < 2; i++) // and the same answer when asked again
        {
            var (status, body) = await CompleteAsync(crafted);
            ((int)status).ShouldBeInRange(400, 499);
            body!["error"]!["message"]!.ToString().ShouldNotBeNullOrWhiteSpace();
        }
        (await PullAsync(crafted)).ShouldBeNull();
        (await u.Client.Http.GetAsync($"/{u.Owner}/c/x")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
