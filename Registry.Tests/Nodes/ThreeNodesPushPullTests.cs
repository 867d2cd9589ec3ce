using System.Net;
using System.Security.Cryptography;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// Three nodes behind HAProxy (<see cref="ThreeNodes"/>), driven by the real Apptainer library client: a push whose parts
/// land on different nodes and a ranged pull whose ranges do (HAProxy's log says which node served each request), one
/// blob for one image pushed through three nodes at once, and the collection limit under creations racing over the nodes.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class ThreeNodesPushPullTests(ThreeNodes three)
{
    private const string UploadPath = "/v2/imagefile/_upload/";

    [Fact]
    public async Task A_multipart_push_whose_parts_land_on_different_nodes_pulls_back_identical_through_each_node()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("pusher");
        // The client goes multipart above 64 MiB: nine 8 MiB parts, each presigned and sent through the balancer.
        var sif = await new SifFiles(fx.Work).CreateAsync(66L * 1024 * 1024);
        var mark = fx.Balancer.Requests.Count;

        var pushed = await fx.LibAsync(user.Token, null, "push", sif, $"{user.Name}/tools/spread", "1.0");

        pushed.ExitCode.ShouldBe(0, pushed.ToString());
        var parts = await RequestsSinceAsync(fx, mark, r => r.Method == "PUT" && r.Path.StartsWith(UploadPath), 9);
        parts.Count.ShouldBe(9, string.Join(", ", parts));
        parts.ShouldAllBe(p => p.Status == 200);
        parts.Select(p => p.Node).Distinct().Count().ShouldBeGreaterThan(1, $"every part went to one node: {string.Join(", ", parts)}");
        var expected = await File.ReadAllBytesAsync(sif);
        for (var i = 0; i < 3; i++)
        {
            using var direct = TestHttp.Client(new Uri(fx.Node(i).BaseUrl), user.Token);
            (await new LibraryClient(direct).PullAsync($"{user.Name}/tools/spread:1.0")).ShouldBe(expected, $"pulled through {ThreeNodes.NodeName(i)}");
        }
    }

    [Fact]
    public async Task A_part_sent_again_through_another_node_with_other_bytes_is_never_published_under_the_images_hash()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("pusher");
        var nodes = Enumerable.Range(0, 3).Select(i => new LibraryClient(TestHttp.Client(new Uri(fx.Node(i).BaseUrl), user.Token))).ToList();
        var file = SifBuilder.Bytes(ThreeNodes.PartSize + 4096); // two parts
        var hash = Convert.ToHexStringLower(SHA256.HashData(file));
        var collection = await ThreeNodesFailoverTests.EnsureCollectionAsync(nodes[0], user.Name, "tools");
        var container = $"resent{Guid.NewGuid():N}"[..14];
        var (_, x) = await nodes[0].PostAsync("/v1/containers", new { name = container, collection });
        var (_, image) = await nodes[0].PostAsync("/v1/images", new { hash = "sha256." + hash, container = (string)x!["data"]!["id"]!, description = "" });
        var imageId = (string)image!["data"]!["id"]!;
        var (_, multipart) = await nodes[0].PostAsync($"/v2/imagefile/{imageId}/_multipart", new { filesize = file.Length });
        var uploadId = (string)multipart!["data"]!["uploadID"]!;
        async Task<string> PartAsync(int node, int number, byte[] bytes)
        {
            var (status, url) = await nodes[node].PutAsync($"/v2/imagefile/{imageId}/_multipart", new { partSize = bytes.Length, uploadID = uploadId, partNumber = number, sha256sum = "" });
            status.ShouldBe(HttpStatusCode.OK, url?.ToJsonString());
            using var put = await new HttpClient().PutAsync((string)url!["data"]!["presignedURL"]!, new ByteArrayContent(bytes));
            put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
            return put.Headers.ETag!.Tag;
        }

        await PartAsync(0, 1, file[..ThreeNodes.PartSize]); // node1 hashes it as the upload's first bytes
        var other = file[..ThreeNodes.PartSize]; // the same part, other bytes (a SIF still), on node2
        RandomNumberGenerator.Fill(other.AsSpan(8192));
        var resent = await PartAsync(1, 1, other);
        var last = await PartAsync(0, 2, file[ThreeNodes.PartSize..]); // node1 goes on from where its hash was
        var (done, answer) = await nodes[0].PutAsync($"/v2/imagefile/{imageId}/_multipart_complete",
            new { uploadID = uploadId, completedParts = new[] { new { partNumber = 1, token = resent }, new { partNumber = 2, token = last } } });

        done.ShouldBe(HttpStatusCode.BadRequest, answer?.ToJsonString());
        answer!.ToJsonString().ShouldContain("checksum mismatch");
        var (_, seen) = await nodes[2].GetAsync($"/v1/images/{user.Name}/tools/{container}:sha256.{hash}");
        ((bool)seen!["data"]!["uploaded"]!).ShouldBeFalse();
        var blob = Path.Combine(fx.DataPath, "blobs", "sha256", hash[..2], hash);
        if (File.Exists(blob)) Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(blob))).ShouldBe(hash, "a blob whose bytes are not its name");
        foreach (var node in nodes) node.Http.Dispose();
    }

    [Fact]
    public async Task The_clients_concurrent_ranged_pull_is_served_by_several_nodes_and_is_byte_identical()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("pusher");
        var sif = await new SifFiles(fx.Work).CreateAsync(24L * 1024 * 1024);
        (await fx.LibAsync(user.Token, null, "push", sif, $"{user.Name}/tools/ranged", "1.0")).ExitCode.ShouldBe(0);
        var copy = Path.Combine(fx.Work, $"ranged-{Guid.NewGuid():N}.sif");
        var mark = fx.Balancer.Requests.Count;

        // apptainer pull's settings: the 303, then 5 MiB ranges three at a time, every one through the balancer.
        var pulled = await fx.LibAsync(user.Token, null, "pullverify", $"{user.Name}/tools/ranged:1.0", copy);

        pulled.ExitCode.ShouldBe(0, pulled.ToString());
        (await SifFiles.HashAsync(copy)).ShouldBe(await SifFiles.HashAsync(sif));
        var ranges = await RequestsSinceAsync(fx, mark, r => r.Method == "GET" && r.Path.StartsWith("/v1/imagefile-blob/"), 5);
        ranges.ShouldAllBe(r => r.Status == 206);
        ranges.Select(r => r.Node).Distinct().Count().ShouldBeGreaterThan(1, $"every range came from one node: {string.Join(", ", ranges)}");
        File.Delete(copy);
    }

    [Fact]
    public async Task One_image_pushed_through_the_three_nodes_at_once_is_stored_as_one_blob()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("pusher");
        var sif = await new SifFiles(fx.Work).CreateAsync(12L * 1024 * 1024);
        var hash = await SifFiles.HashAsync(sif);
        var blobsBefore = fx.FilesUnder("blobs").Count;
        var tmpBefore = fx.FilesUnder("tmp").ToHashSet();

        var pushes = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            fx.LibAsync(user.Token, i, "push", sif, $"{user.Name}/tools/same{i}", "1.0")));

        pushes.ShouldAllBe(p => p.ExitCode == 0, string.Join("\n", pushes.Select(p => p.ToString())));
        var blobs = fx.FilesUnder("blobs");
        blobs.Count.ShouldBe(blobsBefore + 1);
        blobs.Count(b => Path.GetFileName(b) == hash["sha256.".Length..]).ShouldBe(1);
        fx.FilesUnder("tmp").Where(t => !tmpBefore.Contains(t)).ShouldBeEmpty("a push left staged bytes behind");
        var expected = await File.ReadAllBytesAsync(sif);
        for (var i = 0; i < 3; i++)
            (await fx.PullAsync(user.Token, $"{user.Name}/tools/same{i}:1.0")).ShouldBe(expected);
    }

    [Fact]
    public async Task Forty_collection_creations_racing_over_the_nodes_make_exactly_the_limit()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("racer");
        using var http = fx.Client(user.Token);
        var library = new LibraryClient(http);
        var entityId = (string)(await library.GetAsync($"/v1/entities/{user.Name}")).Body!["data"]!["id"]!;
        var mark = fx.Balancer.Requests.Count;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racing = Enumerable.Range(0, 40).Select(async i =>
        {
            await go.Task;
            return await library.PostAsync("/v1/collections", new { name = $"race{i}", entity = entityId, @private = false });
        }).ToList();
        go.SetResult();
        var answers = await Task.WhenAll(racing);

        var made = answers.Where(a => a.Status == HttpStatusCode.OK).ToList();
        made.Count.ShouldBe(ThreeNodes.MaxCollections, string.Join("\n", answers.Select(a => $"{a.Status} {a.Body?.ToJsonString()}")));
        answers.Count(a => a.Status == HttpStatusCode.Forbidden).ShouldBe(40 - ThreeNodes.MaxCollections);
        var served = await RequestsSinceAsync(fx, mark, r => r.Method == "POST" && r.Path == "/v1/collections", 40);
        served.Select(r => r.Node).Distinct().Count().ShouldBe(3);
        // What the API lists afterwards agrees: exactly the two it said it made.
        var names = made.Select(a => (string)a.Body!["data"]!["name"]!).ToList();
        for (var i = 0; i < 40; i++)
            (await library.GetAsync($"/v1/collections/{user.Name}/race{i}")).Status
                .ShouldBe(names.Contains($"race{i}") ? HttpStatusCode.OK : HttpStatusCode.NotFound);
    }

    /// <summary>
    /// The requests answered since <paramref name="mark"/> that match, once HAProxy has logged at least
    /// <paramref name="count"/> of them (its log lines arrive a moment after the answers).
    /// </summary>
    internal static async Task<List<HaproxyBalancer.Request>> RequestsSinceAsync(ThreeNodes fx, int mark, Func<HaproxyBalancer.Request, bool> match, int count)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(100))
        {
            var found = fx.Balancer.Requests.Skip(mark).Where(match).ToList();
            if (found.Count >= count || DateTime.UtcNow > deadline) return found;
        }
    }
}
