using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.Faults;

/// <summary>Thousands of malformed and hostile requests at every route: no 5xx, nothing outside the data folder touched, still healthy.</summary>
[Collection(FaultsCollection.Name)]
public sealed class HostileInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Requests = 5000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(150);
    private readonly string _root = Directory.CreateTempSubdirectory("registry-faults-hostile-").FullName;
    private readonly string _marker = "pwned-" + Guid.NewGuid().ToString("N")[..8];
    private string Data => Path.Combine(_root, "data");
    private string Canary => Path.Combine(_root, "canary");

    [Fact]
    public async Task Hostile_requests_get_no_5xx_touch_nothing_outside_the_data_folder_and_leave_the_server_healthy()
    {
        Directory.CreateDirectory(Path.Combine(Canary, "sub"));
        await File.WriteAllTextAsync(Path.Combine(Canary, "victim.txt"), "do not touch");
        await File.WriteAllBytesAsync(Path.Combine(Canary, "sub", "victim.sif"), SifBuilder.Bytes(4096));
        File.SetLastWriteTimeUtc(Path.Combine(Canary, "victim.txt"), DateTime.UtcNow.AddDays(-1));

        await using var server = await FaultServer.StartAsync(Data);
        using var client = new FaultClient(server.BaseUrl, await server.NewUserTokenAsync("hostile"));
        var image = SifBuilder.Bytes(300_000);
        var imageId = await client.PushAsync("hostile", "c", "x", image);
        var containerId = await client.EnsureContainerAsync("hostile", "c", "x");
        var pending = SifBuilder.Bytes(200_000);
        var (pendingId, _) = await client.CreateImageAsync(containerId, pending);
        var (uploadUrl, start) = await client.StartUploadAsync(pendingId, pending);
        uploadUrl.ShouldNotBeNull(start.ToString());
        var (blobUrl, _) = await client.DownloadUrlAsync("hostile/c/x:latest");
        var collection = (await client.SendAsync(HttpMethod.Get, "v1/collections/hostile/c")).Json!["data"]!;
        var ids = new HostileRequests.Ids("hostile", "c", "x", (string)collection["entity"]!, (string)collection["id"]!, containerId, imageId,
            FaultClient.Sha256Hex(image), new Uri(uploadUrl).PathAndQuery, new Uri(blobUrl!).PathAndQuery);

        var outside = Snapshot();
        var generator = new HostileRequests(new Random(20261124), _marker, Path.Combine(Canary, "victim.txt"), ids);
        var sregistry = new HostileRequests(new Random(20261207), _marker, Path.Combine(Canary, "victim.txt"), ids, sregistry: true);
        var queue = new ConcurrentQueue<HostileRequest>(Enumerable.Range(0, Requests).Select(_ => generator.Next())
            .Concat(Enumerable.Range(0, Requests / 5).Select(_ => sregistry.Next())));
        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentBag<string>();
        var unanswered = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        var uri = new Uri(server.BaseUrl);
        var sent = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < Budget && queue.TryDequeue(out var request))
            {
                Interlocked.Increment(ref sent);
                var response = await RawHttp.SendAsync(uri, request.Head, request.Body, TimeSpan.FromSeconds(request.Partial ? 2 : 10));
                if (response is null)
                {
                    if (!request.Partial) unanswered.Add(request.Line);
                    continue;
                }
                statuses.AddOrUpdate(response.Status, 1, (_, n) => n + 1);
                // 505 is the right answer to "HTTP/9.9" or "http/1.1"; any other 5xx is a server bug.
                var badVersion = !request.Line.EndsWith(" HTTP/1.1", StringComparison.Ordinal) && !request.Line.EndsWith(" HTTP/1.0", StringComparison.Ordinal);
                if (response.Status >= 500 && !(response.Status == 505 && badVersion)) failures.Add($"{response.Status} for {Trim(request.Line)} [Host: {Trim(RawHttp.Header(request.Head, "Host") ?? "")}{(request.Head.Contains("chunked") ? ", chunked" : "")}]: {Trim(response.Body)}");
            }
        })));
        output.WriteLine($"{sent} requests in {clock.Elapsed.TotalSeconds:F0} s; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; unanswered: {unanswered.Count}");

        if (!failures.IsEmpty) output.WriteLine(string.Join('\n', server.Log.Split('\n').Where(l => l.Contains("Exception") && !l.Contains(" at "))
            .GroupBy(l => l.Trim()).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()}× {Trim(g.Key)}")));
        failures.ShouldBeEmpty($"{failures.Count} requests got a 5xx:\n{string.Join('\n', failures.Take(30))}");
        unanswered.ShouldBeEmpty($"{unanswered.Count} complete requests got no answer within 10 s:\n{string.Join('\n', unanswered.Take(30).Select(Trim))}");
        sent.ShouldBeGreaterThan(1000, "too few requests within the time budget to mean anything");

        Snapshot().ShouldBe(outside, "files outside the data folder changed");
        FindMarker().ShouldBeEmpty($"a file named after the traversal marker {_marker} was created");
        foreach (var blob in DataFolder.BlobFiles(Data))
            Path.GetRelativePath(Data, blob).ShouldMatch(@"^blobs/sha256/[0-9a-f]{2}/[0-9a-f]{64}$");
        DataFolder.CorruptBlobs(Data).ShouldBeEmpty();

        server.HasExited.ShouldBeFalse();
        (await client.SendAsync(HttpMethod.Get, "version")).Status.ShouldBe(HttpStatusCode.OK);
        (await client.DownloadAsync("hostile/c/x:latest")).ShouldBe(image);
        var after = SifBuilder.Bytes(100_000);
        await client.PushAsync("hostile", "c", "after", after);
        (await client.DownloadAsync("hostile/c/after:latest")).ShouldBe(after);
    }

    private static string Trim(string s)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length > 200 ? s[..200] + "…" : s;
    }

    /// <summary>Every file and folder under the test's root except the data folder, and the root's own listing, with sizes and times.</summary>
    private List<string> Snapshot()
    {
        var entries = new List<string>();
        foreach (var path in Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories).Order())
        {
            if (path == Data || path.StartsWith(Data + "/", StringComparison.Ordinal)) continue;
            var info = new FileInfo(path);
            entries.Add($"{path} {(info.Exists ? info.Length : -1)} {File.GetLastWriteTimeUtc(path):O}");
        }
        entries.Add($"{_root} {Directory.GetLastWriteTimeUtc(_root):O}");
        return entries;
    }

    private List<string> FindMarker()
    {
        var hits = new List<string>();
        hits.AddRange(Directory.EnumerateFileSystemEntries(_root, "*" + _marker + "*", SearchOption.AllDirectories));
        hits.AddRange(Directory.EnumerateFileSystemEntries(RepoPaths.WebBinDir, "*" + _marker + "*", SearchOption.AllDirectories));
        foreach (var top in new[] { "/", Path.GetTempPath(), Path.GetDirectoryName(_root)! })
            hits.AddRange(Directory.EnumerateFileSystemEntries(top, "*" + _marker + "*"));
        return hits;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }
}
