using System.Net;
using System.Text.Json.Nodes;
using Registry.Tests.Api;
using Xunit.Abstractions;

namespace Registry.Tests.Faults;

/// <summary>The data folder on a 16 MiB filesystem: pushes that don't fit fail with 507 and leave nothing; pulls go on.</summary>
[Collection(FaultsCollection.Name)]
public sealed class DiskFullTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("registry-faults-disk-").FullName;

    [Fact]
    public async Task Push_that_does_not_fit_fails_with_507_and_pulls_keep_working()
    {
        await using var fs = await SmallFilesystem.MountAsync(Path.Combine(_root, "mnt"), 16);
        output.WriteLine($"filesystem: {fs.Kind}");
        var data = Path.Combine(fs.MountPoint, "data");
        await using var server = await FaultServer.StartAsync(data);
        var token = await server.NewUserTokenAsync("full");
        using var client = new FaultClient(server.BaseUrl, token);
        var a = SifBuilder.Bytes(1 * MiB);
        await client.PushAsync("full", "c", "a", a);

        // 1. Announced bigger than the disk: refused before any byte moves, with a message the client prints.
        var big = SifBuilder.Bytes(24 * MiB);
        var bigImage = await client.CreateImageAsync(await client.EnsureContainerAsync("full", "c", "big"), big);
        var (bigUrl, bigStart) = await client.StartUploadAsync(bigImage.Id, big);
        bigUrl.ShouldBeNull();
        bigStart.Status.ShouldBe(HttpStatusCode.InsufficientStorage, bigStart.ToString());
        ShouldBeErrorEnvelope(bigStart.Text, 507);

        // 2. Fits when announced, but the disk fills up while the bytes arrive (another writer took the space).
        var c = SifBuilder.Bytes(6 * MiB);
        var cContainer = await client.EnsureContainerAsync("full", "c", "c");
        var cImage = await client.CreateImageAsync(cContainer, c);
        var (cUrl, cStart) = await client.StartUploadAsync(cImage.Id, c);
        cUrl.ShouldNotBeNull(cStart.ToString());
        var ballast = Path.Combine(fs.MountPoint, "ballast");
        var free = SmallFilesystem.Fill(ballast, leave: 2 * MiB);
        output.WriteLine($"free before the PUT: {free} bytes");
        var put = await RawHttp.SendAsync(new Uri(cUrl), $"PUT {new Uri(cUrl).PathAndQuery} HTTP/1.1\r\nHost: x\r\nContent-Length: {c.Length}", c, TimeSpan.FromSeconds(30));
        put.ShouldNotBeNull("no answer to a PUT that ran out of disk");
        put.Status.ShouldBe(507, put.ToString());
        ShouldBeErrorEnvelope(put.Body, 507);

        // 3. Completely full: pulls, metadata and /version still answer.
        SmallFilesystem.Fill(ballast + "2", leave: 0);
        new DriveInfo(fs.MountPoint).AvailableFreeSpace.ShouldBeLessThan(64 * 1024);
        try { (await client.DownloadAsync("full/c/a:latest")).ShouldBe(a); } catch { output.WriteLine(server.Log); throw; }
        (await client.GetImageAsync("full/c/a:latest")).Status.ShouldBe(HttpStatusCode.OK);
        (await client.SendAsync(HttpMethod.Get, "version")).Status.ShouldBe(HttpStatusCode.OK);

        // 4. Nothing half-written anywhere.
        DataFolder.TempFiles(data).ShouldBeEmpty();
        DataFolder.BlobFiles(data).Select(Path.GetFileName).ShouldBe([FaultClient.Sha256Hex(a)]);
        DataFolder.CorruptBlobs(data).ShouldBeEmpty();
        (await client.CompleteAsync(cImage.Id)).Status.ShouldBe(HttpStatusCode.NotFound, "the failed upload must not be completable");
        (await client.GetImageAsync($"full/c/c:sha256.{FaultClient.Sha256Hex(c)}")).Json!["data"]!["uploaded"]!.GetValue<bool>().ShouldBeFalse();

        // 5. Space back: the same push now succeeds.
        File.Delete(ballast);
        File.Delete(ballast + "2");
        await client.PushAsync("full", "c", "c", c);
        (await client.DownloadAsync("full/c/c:latest")).ShouldBe(c);
        DataFolder.TempFiles(data).ShouldBeEmpty();
        server.HasExited.ShouldBeFalse();
    }

    internal static void ShouldBeErrorEnvelope(string body, int code)
    {
        var json = JsonNode.Parse(body)!;
        ((int)json["error"]!["code"]!).ShouldBe(code, body);
        ((string)json["error"]!["message"]!).ShouldNotBeNullOrWhiteSpace(body);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }
}
