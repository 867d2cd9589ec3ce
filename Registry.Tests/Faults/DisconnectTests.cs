using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Registry.Tests.Api;
using Xunit.Abstractions;

namespace Registry.Tests.Faults;

/// <summary>Clients that vanish mid-upload and mid-download: no leaked handles or temp files, and the upload can be retried.</summary>
[Collection(FaultsCollection.Name)]
public sealed class DisconnectTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("registry-faults-disconnect-").FullName;
    private FaultServer _server = null!;
    private FaultClient _client = null!;
    private string Data => Path.Combine(_root, "data");

    public async Task InitializeAsync()
    {
        _server = await FaultServer.StartAsync(Data, new() { ["Registry:MultipartPartSize"] = (5 * MiB).ToString() });
        _client = new FaultClient(_server.BaseUrl, await _server.NewUserTokenAsync("gone"));
        await _client.EnsureContainerAsync("gone", "c", "first");
    }

    [Fact]
    public async Task Single_upload_cut_off_halfway_can_be_retried_and_leaves_nothing()
    {
        var file = SifBuilder.Bytes(4 * MiB);
        var containerId = await _client.EnsureContainerAsync("gone", "c", "single");
        var (imageId, _) = await _client.CreateImageAsync(containerId, file);
        var (url, start) = await _client.StartUploadAsync(imageId, file);
        url.ShouldNotBeNull(start.ToString());

        await RawHttp.AbortMidBodyAsync(new Uri(url), PutHead(url, file.Length), file.AsMemory(0, file.Length / 2));
        await WaitForNoOpenDataFilesAsync("tmp");
        (await _client.CompleteAsync(imageId)).Status.ShouldBe(HttpStatusCode.BadRequest, "half a file must not complete");

        var retry = await RetryAsync(() => _client.PutBytesAsync(url, new ByteArrayContent(file)));
        retry.Status.ShouldBe(HttpStatusCode.OK, retry.ToString());
        (await _client.CompleteAsync(imageId)).Status.ShouldBe(HttpStatusCode.OK);
        await _client.TagAsync(containerId, imageId, "latest");
        (await _client.DownloadAsync("gone/c/single:latest")).ShouldBe(file);
        DataFolder.TempFiles(Data).ShouldBeEmpty();
    }

    [Fact]
    public async Task Multipart_part_cut_off_is_retried_and_an_aborted_upload_leaves_nothing()
    {
        var file = SifBuilder.Bytes(12 * MiB + 17);
        var containerId = await _client.EnsureContainerAsync("gone", "c", "parts");
        var (imageId, _) = await _client.CreateImageAsync(containerId, file);

        var upload = await StartMultipartAsync(imageId, file.Length);
        upload.TotalParts.ShouldBe(3);
        var tokens = new List<object>();
        for (var n = 1; n <= upload.TotalParts; n++)
        {
            var offset = (int)((n - 1) * upload.PartSize);
            var part = file.AsMemory(offset, (int)Math.Min(upload.PartSize, file.Length - offset)).ToArray();
            var url = await PresignAsync(imageId, upload.Id, n, part);
            if (n == 2)
            {
                await RawHttp.AbortMidBodyAsync(new Uri(url), PutHead(url, part.Length), part.AsMemory(0, part.Length / 2));
                await WaitForNoOpenDataFilesAsync("tmp");
                url = await PresignAsync(imageId, upload.Id, n, part); // what the client does on a failed part: ask again
            }
            var put = await RetryAsync(() => _client.PutBytesAsync(url, new ByteArrayContent(part)));
            put.Status.ShouldBe(HttpStatusCode.OK, put.ToString());
            put.ETag.ShouldNotBeNullOrEmpty();
            tokens.Add(new { partNumber = n, token = put.ETag });
        }
        var complete = await _client.SendAsync(HttpMethod.Put, $"v2/imagefile/{imageId}/_multipart_complete", JsonSerializer.Serialize(new { uploadID = upload.Id, completedParts = tokens }));
        complete.Status.ShouldBe(HttpStatusCode.OK, complete.ToString());
        await _client.TagAsync(containerId, imageId, "latest");
        (await _client.DownloadAsync("gone/c/parts:latest")).ShouldBe(file);
        DataFolder.TempFiles(Data).ShouldBeEmpty();

        // A second upload cut off mid-part and then aborted by the client: its temp file goes at once.
        var other = SifBuilder.Bytes(7 * MiB);
        var (otherId, _) = await _client.CreateImageAsync(await _client.EnsureContainerAsync("gone", "c", "aborted"), other);
        var second = await StartMultipartAsync(otherId, other.Length);
        var first = other.AsMemory(0, (int)second.PartSize).ToArray();
        var partUrl = await PresignAsync(otherId, second.Id, 1, first);
        await RawHttp.AbortMidBodyAsync(new Uri(partUrl), PutHead(partUrl, first.Length), first.AsMemory(0, first.Length / 3));
        await WaitForNoOpenDataFilesAsync("tmp");
        DataFolder.TempFiles(Data).ShouldNotBeEmpty("the cut-off part should have left its bytes");
        var abort = await _client.SendAsync(HttpMethod.Put, $"v2/imagefile/{otherId}/_multipart_abort", JsonSerializer.Serialize(new { uploadID = second.Id }));
        abort.Status.ShouldBe(HttpStatusCode.OK, abort.ToString());
        DataFolder.TempFiles(Data).ShouldBeEmpty();
        await _client.PushAsync("gone", "c", "aborted", other); // and a fresh push of the same image works
        (await _client.DownloadAsync("gone/c/aborted:latest")).ShouldBe(other);
    }

    [Fact]
    public async Task Repeated_cut_offs_do_not_leak_file_handles()
    {
        var image = SifBuilder.Bytes(8 * MiB);
        await _client.PushAsync("gone", "c", "pulled", image);
        var (location, answer) = await _client.DownloadUrlAsync("gone/c/pulled:latest");
        location.ShouldNotBeNull(answer.ToString());
        var target = new Uri(location);
        // Warm up every code path once, then take the baseline.
        await CutDownloadAsync(target, null);
        await CutUploadAsync("warm");
        await WaitForNoOpenDataFilesAsync("tmp", "blobs");
        var baseline = _server.OpenFileDescriptors();
        var before = _server.DescribeFileDescriptors();

        for (var i = 0; i < 20; i++) await CutUploadAsync($"cut{i}");
        for (var i = 0; i < 30; i++) await CutDownloadAsync(target, i % 2 == 0 ? null : $"bytes={i * 1000}-{4 * MiB}");

        await WaitForNoOpenDataFilesAsync("tmp", "blobs");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (_server.OpenFileDescriptors() > baseline + 4 && DateTime.UtcNow < deadline) await Task.Delay(200);
        var now = _server.OpenFileDescriptors();
        output.WriteLine($"open file descriptors: {baseline} before ({before}), {now} after 20 cut uploads and 30 cut downloads ({_server.DescribeFileDescriptors()})");
        now.ShouldBeLessThanOrEqualTo(baseline + 4, $"file descriptors leak when clients disconnect: before {before}, after {_server.DescribeFileDescriptors()}");
        (await _client.DownloadAsync("gone/c/pulled:latest")).ShouldBe(image);
        (await _client.SendAsync(HttpMethod.Get, "version")).Status.ShouldBe(HttpStatusCode.OK);
    }

    private async Task CutUploadAsync(string container)
    {
        var file = SifBuilder.Bytes(2 * MiB);
        var (imageId, _) = await _client.CreateImageAsync(await _client.EnsureContainerAsync("gone", "c", container), file);
        var (url, start) = await _client.StartUploadAsync(imageId, file);
        url.ShouldNotBeNull(start.ToString());
        await RawHttp.AbortMidBodyAsync(new Uri(url), PutHead(url, file.Length), file.AsMemory(0, file.Length / 2));
    }

    /// <summary>Starts a download, reads a little of it and resets the connection.</summary>
    private static async Task CutDownloadAsync(Uri target, string? range)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        await socket.ConnectAsync(target.Host, target.Port);
        var head = $"GET {target.PathAndQuery} HTTP/1.1\r\nHost: {target.Authority}\r\n" + (range is null ? "" : $"Range: {range}\r\n") + "\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        var buffer = new byte[64 * 1024];
        var received = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (received < 256 * 1024)
        {
            var n = await socket.ReceiveAsync(buffer, cts.Token);
            if (n == 0) break;
            received += n;
        }
        received.ShouldBeGreaterThan(0);
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    private sealed record Multipart(string Id, int TotalParts, long PartSize);

    private async Task<Multipart> StartMultipartAsync(string imageId, long size)
    {
        var answer = await _client.SendAsync(HttpMethod.Post, $"v2/imagefile/{imageId}/_multipart", JsonSerializer.Serialize(new { filesize = size }));
        answer.Status.ShouldBe(HttpStatusCode.OK, answer.ToString());
        var data = answer.Json!["data"]!;
        return new Multipart((string)data["uploadID"]!, (int)data["totalParts"]!, (long)data["partSize"]!);
    }

    private async Task<string> PresignAsync(string imageId, string uploadId, int partNumber, byte[] part)
    {
        var answer = await _client.SendAsync(HttpMethod.Put, $"v2/imagefile/{imageId}/_multipart", JsonSerializer.Serialize(new
        {
            partSize = part.Length, uploadID = uploadId, partNumber, sha256sum = Convert.ToHexStringLower(SHA256.HashData(part)),
        }));
        answer.Status.ShouldBe(HttpStatusCode.OK, answer.ToString());
        return (string)answer.Json!["data"]!["presignedURL"]!;
    }

    private static string PutHead(string url, long length)
    {
        var uri = new Uri(url);
        return $"PUT {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Length: {length}\r\nContent-Type: application/octet-stream";
    }

    /// <summary>Bounded wait until the server holds no file open under the given data sub-folders (a cut-off request has been torn down).</summary>
    /// <summary>
    /// A retry right after a cut-off request may find the server still ending it (the file is closed, the part's writer
    /// lease not yet given back): that answer is 409, as for any second writer, and a client tries again.
    /// </summary>
    private static async Task<Answer> RetryAsync(Func<Task<Answer>> put)
    {
        var answer = await put();
        for (var i = 0; i < 50 && answer.Status == HttpStatusCode.Conflict; i++)
        {
            await Task.Delay(100);
            answer = await put();
        }
        return answer;
    }

    private async Task WaitForNoOpenDataFilesAsync(params string[] folders)
    {
        var prefixes = folders.Select(f => Path.Combine(Data, f) + "/").ToArray();
        string[] open = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            open = _server.OpenDataFiles().Where(f => prefixes.Any(p => f.StartsWith(p, StringComparison.Ordinal))).ToArray();
            if (open.Length == 0) return;
            await Task.Delay(100);
        }
        open.ShouldBeEmpty("the server still holds these files open 15 s after the client went away");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
