using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Npgsql;
using Registry.Core.Uploads;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;
using Registry.Tests.SignIn;

namespace Registry.Tests.Nodes;

/// <summary>
/// The upload page's chunks of one upload reach two nodes on one PostgreSQL database and one folder (no stickiness, or a
/// node change mid-upload): they are written one at a time across the nodes, and what is published is the file.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class BrowserUploadAcrossNodesTests
{
    private const int Chunk = BrowserUploadService.ChunkSize;

    [Fact]
    public async Task The_same_and_the_next_chunk_sent_to_both_nodes_at_once_publish_the_file_once()
    {
        await using var nodes = await SharedNodes.StartAsync(2);
        var (owner, page, puller) = await SignedInAsync(nodes);
        using var _ = page;
        for (var round = 0; round < 5; round++)
        {
            var file = SifBuilder.Bytes(2 * Chunk + 4321 + round);
            var container = $"round{round}";
            var id = await page.StartAsync(owner, container, file.Length);
            for (long received = 0; received < file.Length; received = await page.ReceivedAsync(round % 2, id))
            {
                var sends = new[] { received, received + Chunk }.Where(at => at < file.Length)
                    .SelectMany(at => new[] { 0, 1 }.Select(node => page.PutAsync(node, id, at, file[(int)at..(int)Math.Min(file.Length, at + Chunk)])));
                // A chunk past the bytes received so far is refused (409) until the one before it is in; every other is taken.
                (await Task.WhenAll(sends)).ShouldAllBe(code => code == HttpStatusCode.OK || code == HttpStatusCode.Conflict);
            }
            // Finishing through both nodes at once: one publishes, the other finds the upload gone.
            var finished = await Task.WhenAll(page.FinishAsync(0, id), page.FinishAsync(1, id));
            finished.Order().ToList().ShouldBe([HttpStatusCode.OK, HttpStatusCode.NotFound]);

            (await puller[(round + 1) % 2].PullAsync($"{owner}/tools/{container}:v1")).ShouldBe(file);
            (await ImagesAsync(nodes.Database, container)).ShouldBe([("sha256." + Hex(file), (long)file.Length, true)]);
        }
        await using var db = new NpgsqlConnection(nodes.Database);
        await db.OpenAsync();
        await using var left = new NpgsqlCommand("""SELECT count(*) FROM "BrowserUploads" """, db);
        (await left.ExecuteScalarAsync()).ShouldBe(0L);
        Directory.EnumerateFiles(Path.Combine(nodes.DataPath, "tmp")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_chunk_sent_again_with_other_bytes_through_another_node_is_what_gets_hashed_and_stored()
    {
        await using var nodes = await SharedNodes.StartAsync(2);
        var (owner, page, puller) = await SignedInAsync(nodes);
        using var _ = page;
        var file = SifBuilder.Bytes(2 * Chunk + 999);
        var id = await page.StartAsync(owner, "rewritten", file.Length);

        (await page.PutAsync(0, id, 0, RandomNumberGenerator.GetBytes(Chunk))).ShouldBe(HttpStatusCode.OK); // node 0 hashes these as they arrive
        (await page.PutAsync(1, id, 0, file[..Chunk])).ShouldBe(HttpStatusCode.OK);                          // node 1 writes the file's over them
        (await page.PutAsync(0, id, Chunk, file[Chunk..(2 * Chunk)])).ShouldBe(HttpStatusCode.OK);
        (await page.PutAsync(0, id, 2 * Chunk, file[(2 * Chunk)..])).ShouldBe(HttpStatusCode.OK);
        (await page.FinishAsync(0, id)).ShouldBe(HttpStatusCode.OK);

        (await ImagesAsync(nodes.Database, "rewritten")).ShouldBe([("sha256." + Hex(file), (long)file.Length, true)]);
        (await puller[1].PullAsync($"{owner}/tools/rewritten:v1")).ShouldBe(file);
        (await nodes[1].AdminAsync("verify")).Stdout.ShouldContain(" 0 mismatches, 0 missing");
    }

    /// <summary>A user with a collection "tools", a browser signed in on node 0, and a Library API client per node.</summary>
    private static async Task<(string Owner, TwoNodePage Page, LibraryClient[] Puller)> SignedInAsync(SharedNodes nodes)
    {
        var owner = RegistryFixture.Unique("chunks");
        var password = await nodes[0].CreateUserAsync(owner);
        var token = await nodes[0].CreateTokenAsync(owner);
        var puller = nodes.Nodes.Select(n => new LibraryClient(TestHttp.Client(new Uri(n.BaseUrl), token))).ToArray();
        await puller[0].PushAsync(owner, "tools", "seed", SifBuilder.Bytes(4096), "v1"); // makes the collection
        return (owner, await TwoNodePage.SignInAsync(nodes[0], nodes[1], owner, password), puller);
    }

    private static async Task<List<(string Hash, long Size, bool Uploaded)>> ImagesAsync(string database, string container)
    {
        await using var db = new NpgsqlConnection(database);
        await db.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT i."Hash", i."Size", i."Uploaded" FROM "Images" i JOIN "Containers" c ON c."Id" = i."ContainerId" WHERE c."Name" = $1
            """, db) { Parameters = { new NpgsqlParameter { Value = container } } };
        await using var reader = await query.ExecuteReaderAsync();
        var images = new List<(string, long, bool)>();
        while (await reader.ReadAsync()) images.Add(("sha256." + reader.GetString(0), reader.GetInt64(1), reader.GetBoolean(2)));
        return images;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>What the upload page's script does, through either of two nodes: one browser (one cookie jar) signed in on the first.</summary>
    private sealed class TwoNodePage(BrowserSession[] nodes) : IDisposable
    {
        private string _token = "";

        public static async Task<TwoNodePage> SignInAsync(RegistryServer first, RegistryServer second, string name, string password)
        {
            var cookies = new CookieContainer(); // cookies are per host, not per port: both nodes get them
            var page = new TwoNodePage([new BrowserSession(new Uri(first.BaseUrl), cookies: cookies), new BrowserSession(new Uri(second.BaseUrl), cookies: cookies)]);
            (await LocalSignIn.SignInAsync(page.Nodes[0], name, password)).Address.AbsolutePath.ShouldBe("/");
            page._token = BrowserSession.Hidden((await page.Nodes[0].GetAsync("/Account/Manage/ChangePassword")).Html, "__RequestVerificationToken");
            return page;
        }

        private BrowserSession[] Nodes => nodes;

        public async Task<string> StartAsync(string entity, string container, long size)
        {
            var (status, body) = await SendAsync(0, HttpMethod.Post, "/browser-upload", JsonContent.Create(new { entity, collection = "tools", container, tag = "v1", size }));
            status.ShouldBe(HttpStatusCode.OK, body);
            return JsonNode.Parse(body)!["id"]!.GetValue<string>();
        }

        public async Task<HttpStatusCode> PutAsync(int node, string id, long offset, byte[] bytes) =>
            (await SendAsync(node, HttpMethod.Put, $"/browser-upload/{id}/{offset}", new ByteArrayContent(bytes))).Status;

        public async Task<long> ReceivedAsync(int node, string id)
        {
            var (status, body) = await SendAsync(node, HttpMethod.Get, $"/browser-upload/{id}", null);
            status.ShouldBe(HttpStatusCode.OK, body);
            return JsonNode.Parse(body)!["received"]!.GetValue<long>();
        }

        public async Task<HttpStatusCode> FinishAsync(int node, string id) =>
            (await SendAsync(node, HttpMethod.Post, $"/browser-upload/{id}/finish", null)).Status;

        private async Task<(HttpStatusCode Status, string Body)> SendAsync(int node, HttpMethod method, string path, HttpContent? body)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body };
            request.Headers.Add("RequestVerificationToken", _token);
            using var response = await nodes[node].SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        public void Dispose()
        {
            foreach (var node in nodes) node.Dispose();
        }
    }
}
