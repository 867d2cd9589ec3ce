using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Registry.Core;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// Two nodes on one PostgreSQL database and one data folder, each with its read caches warm: a write on one node (an
/// image deleted through the API; a collection made private or a user deleted by the admin command line) is not served
/// from the other's cache a second later (the caches alone would keep it for 30–60 s).
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class CrossNodeCacheTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_write_on_one_node_reaches_the_other_nodes_caches_within_a_second()
    {
        var postgres = await PostgresServer.GetAsync();
        var database = await postgres.CreateDatabaseAsync();
        var data = Directory.CreateTempSubdirectory("registry-feed-").FullName;
        try
        {
            var setup = new HostSetup { DataPath = data, ["Registry:Database"] = nameof(DatabaseProvider.PostgreSql), ["Registry:DatabaseConnection"] = database };
            var starting = new[] { RegistryServer.StartAsync(setup), RegistryServer.StartAsync(setup) };
            await using var a = await starting[0];
            await using var b = await starting[1];

            var owner = RegistryFixture.Unique("feed");
            await a.CreateUserAsync(owner);
            var token = await a.CreateTokenAsync(owner);
            using var onA = TestHttp.Client(new Uri(a.BaseUrl), token);
            await new LibraryClient(onA).PushAsync(owner, "tools", "seen", SifBuilder.Bytes(32 * 1024), "1.0");
            var image = $"/v1/images/{owner}/tools/seen:1.0";
            // Warm B's image cache (anonymous and the owner's token) and its token cache.
            for (var i = 0; i < 3; i++)
            {
                (await b.Http.GetAsync(image)).StatusCode.ShouldBe(HttpStatusCode.OK);
                (await TokenStatusAsync(b, token)).ShouldBe(HttpStatusCode.OK);
            }

            (await onA.DeleteAsync(image)).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await FirstAnswerAsync(() => b.Http.GetAsync(image), HttpStatusCode.NotFound)).ShouldBeLessThan(Within, "B served the deleted image from its cache");

            // The catalogue reads too: a collection made private from A's folder (the admin command line) is gone on B.
            var collection = $"/v1/collections/{owner}/tools";
            for (var i = 0; i < 3; i++) (await b.Http.GetAsync(collection)).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await a.AdminAsync("collection", "private", $"{owner}/tools")).ExitCode.ShouldBe(0);
            (await FirstAnswerAsync(() => b.Http.GetAsync(collection), HttpStatusCode.NotFound)).ShouldBeLessThan(Within, "B served the collection made private from its cache");

            // The admin command line (a process on A's folder, running no background services) reaches B too.
            var leaver = RegistryFixture.Unique("leaver");
            await a.CreateUserAsync(leaver);
            var leaverToken = await a.CreateTokenAsync(leaver);
            (await TokenStatusAsync(b, leaverToken)).ShouldBe(HttpStatusCode.OK);
            (await a.AdminAsync("user", "delete", leaver)).ExitCode.ShouldBe(0);
            (await FirstAnswerAsync(async () => new HttpResponseMessage(await TokenStatusAsync(b, leaverToken)), HttpStatusCode.NotFound))
                .ShouldBeLessThan(Within, "B accepted the deleted user's token from its cache");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            await postgres.DropDatabaseAsync(database);
        }
    }

    /// <summary>
    /// How long after now a request first answered <paramref name="wanted"/>, counted at the start of that request (a slow
    /// answer on a busy machine does not count against the node). Gives up after ten times <see cref="Within"/>.
    /// </summary>
    private static async Task<TimeSpan> FirstAnswerAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode wanted)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Within * 10)
        {
            var startedAt = clock.Elapsed;
            using var answer = await send();
            if (answer.StatusCode == wanted) return startedAt;
            await Task.Delay(20);
        }
        return TimeSpan.MaxValue;
    }

    private static async Task<HttpStatusCode> TokenStatusAsync(RegistryServer server, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/token-status");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var answer = await server.Http.SendAsync(request);
        return answer.StatusCode;
    }
}
