using System.Net;
using System.Security.Cryptography;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// Three nodes behind HAProxy (<see cref="ThreeNodes"/>) losing a part: a node killed (SIGKILL) in the middle of an upload
/// it is receiving, and the database restarted under load.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class ThreeNodesFailoverTests(ThreeNodes three)
{
    [Fact]
    public async Task A_node_killed_mid_push_leaves_nothing_half_visible_the_next_push_succeeds_and_gc_removes_its_staged_bytes()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("pusher");
        using var http = fx.Client(user.Token);
        var library = new LibraryClient(http);
        var container = $"crash{Guid.NewGuid():N}"[..12];
        var file = SifBuilder.Bytes(12 * 1024 * 1024);
        var hash = Convert.ToHexStringLower(SHA256.HashData(file));
        var collection = await EnsureCollectionAsync(library, user.Name, "tools");
        var (_, x) = await library.PostAsync("/v1/containers", new { name = container, collection });
        var (_, image) = await library.PostAsync("/v1/images", new { hash = "sha256." + hash, container = (string)x!["data"]!["id"]!, description = "" });
        var imageId = (string)image!["data"]!["id"]!;
        var (started, start) = await library.PostAsync($"/v2/imagefile/{imageId}", new { filesize = file.Length, sha256sum = hash, md5sum = "" });
        started.ShouldBe(HttpStatusCode.OK, start?.ToJsonString());
        var sessionOpened = DateTime.UtcNow;
        var tmpBefore = fx.FilesUnder("tmp").ToHashSet();

        // The upload's first 4 MiB reach a node through the balancer; the rest never comes. Which node writes it: the one
        // holding a new staged file open (/proc/PID/fd).
        using var uploading = new CancellationTokenSource();
        using var uploader = fx.Client(timeout: Timeout.InfiniteTimeSpan);
        var put = uploader.PutAsync((string)start!["data"]!["uploadURL"]!, new StalledBody(file, 4 * 1024 * 1024), uploading.Token);
        var (writer, staged) = await WriterOfNewStagedFileAsync(fx, tmpBefore);
        await fx.KillAsync(writer);
        uploading.Cancel();
        try { (await put).IsSuccessStatusCode.ShouldBeFalse(); } // the balancer's 502, or the connection cut
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { }
        File.Exists(staged).ShouldBeTrue("the dead node's staged bytes");

        // Nothing of it is visible: the image is not uploaded, no pull, no search hit, no tag.
        var (_, seen) = await library.GetAsync($"/v1/images/{user.Name}/tools/{container}:sha256.{hash}");
        ((bool)seen!["data"]!["uploaded"]!).ShouldBeFalse();
        (await fx.PullAsync(user.Token, $"{user.Name}/tools/{container}:sha256.{hash}")).ShouldBeNull();
        var (_, found) = await library.GetAsync($"/v1/search?value={container}");
        found!["data"]!["image"]!.AsArray().ShouldBeEmpty();
        (await library.GetAsync($"/v1/images/{user.Name}/tools/{container}:1.0")).Status.ShouldBe(HttpStatusCode.NotFound);

        // The client pushes again at once, through the balancer (the dead node still in its rotation for a moment).
        var sif = Path.Combine(fx.Work, container + ".sif");
        await File.WriteAllBytesAsync(sif, file);
        var again = await fx.LibAsync(user.Token, null, "push", sif, $"{user.Name}/tools/{container}", "1.0");
        again.ExitCode.ShouldBe(0, again.ToString());
        (await fx.PullAsync(user.Token, $"{user.Name}/tools/{container}:1.0")).ShouldBe(file);

        // gc once the dead session has expired (the node is back by then) removes its bytes; the image pushed again stays.
        await fx.ReadyAsync();
        var expired = sessionOpened + ThreeNodes.UploadLifetime + TimeSpan.FromSeconds(2) - DateTime.UtcNow;
        if (expired > TimeSpan.Zero) await Task.Delay(expired);
        var gc = await fx.Node(0).AdminOkAsync("gc");
        File.Exists(staged).ShouldBeFalse($"gc left the dead upload's bytes: {gc}");
        var sessions = System.Text.RegularExpressions.Regex.Match(gc.Stdout, @"bytes of (\d+) finished or expired upload sessions");
        int.Parse(sessions.Groups[1].Value).ShouldBeGreaterThanOrEqualTo(1, gc.Stdout);
        (await fx.PullAsync(user.Token, $"{user.Name}/tools/{container}:1.0")).ShouldBe(file);
    }

    /// <summary>The node (0–2) that holds a new file of the staging folder open for writing, and that file.</summary>
    private static async Task<(int Node, string File)> WriterOfNewStagedFileAsync(ThreeNodes fx, HashSet<string> before)
    {
        var tmp = Path.Combine(fx.DataPath, "tmp") + "/";
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100))
            for (var i = 0; i < 3; i++)
            {
                var open = OpenFiles(fx.Node(i).Pid).FirstOrDefault(f => f.StartsWith(tmp, StringComparison.Ordinal) && !before.Contains(f));
                if (open is not null) return (i, open);
            }
        throw new TimeoutException("no node opened a new staged file");
    }

    private static IEnumerable<string> OpenFiles(int pid)
    {
        string[] fds;
        try { fds = Directory.GetFiles($"/proc/{pid}/fd"); }
        catch (DirectoryNotFoundException) { yield break; }
        foreach (var fd in fds)
        {
            string? target = null;
            try { target = new FileInfo(fd).LinkTarget; }
            catch (IOException) { }
            if (target is not null) yield return target;
        }
    }

    internal static async Task<string> EnsureCollectionAsync(LibraryClient library, string entity, string name)
    {
        var (status, c) = await library.GetAsync($"/v1/collections/{entity}/{name}");
        if (status == HttpStatusCode.NotFound)
        {
            var (_, e) = await library.GetAsync($"/v1/entities/{entity}");
            (status, c) = await library.PostAsync("/v1/collections", new { name, entity = (string)e!["data"]!["id"]!, @private = false });
        }
        status.ShouldBe(HttpStatusCode.OK, c?.ToJsonString());
        return (string)c!["data"]!["id"]!;
    }
}
