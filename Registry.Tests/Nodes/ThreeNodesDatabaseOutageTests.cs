using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// Three nodes behind HAProxy (<see cref="ThreeNodes"/>) while their PostgreSQL server restarts under load (its own
/// server, so no other test notices): readiness goes red on every node, then green; every request answers within its
/// client timeout, with its normal answer or a clean 5xx; afterwards writes work and reach every node's caches again.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class ThreeNodesDatabaseOutageTests(ThreeNodes three)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private sealed record Answer(string Target, string Request, int Status, string? Error, TimeSpan Took);

    [Fact]
    public async Task A_database_restart_under_load_turns_readiness_red_then_green_and_no_request_hangs()
    {
        var fx = await three.ReadyAsync();
        var user = await fx.UserAsync("pusher");
        using var balanced = fx.Client(user.Token, RequestTimeout);
        var collection = await ThreeNodesFailoverTests.EnsureCollectionAsync(new LibraryClient(balanced), user.Name, "tools");
        var nodes = Enumerable.Range(0, 3).Select(i => TestHttp.Client(new Uri(fx.Node(i).BaseUrl), user.Token, RequestTimeout)).ToList();
        await new LibraryClient(nodes[0]).PushAsync(user.Name, "tools", "load", SifBuilder.Bytes(64 * 1024), "1.0");
        var answers = new ConcurrentBag<Answer>();
        using var stop = new CancellationTokenSource();
        var targets = nodes.Select((http, i) => (Name: ThreeNodes.NodeName(i), Http: http)).Append((Name: "balancer", Http: balanced)).ToList();
        var load = targets.SelectMany(t => Enumerable.Range(0, 2).Select(_ => LoadAsync(t.Name, t.Http, user.Name, collection, answers, stop.Token))).ToList();

        await Task.Delay(1000);
        await fx.Postgres.StopServingAsync();
        var red = await Task.WhenAll(nodes.Select(n => ReadinessAsync(n, HttpStatusCode.ServiceUnavailable)));
        red.ShouldAllBe(body => body.Contains("database"));
        await Task.Delay(1000); // load keeps coming while the database is gone
        await fx.Postgres.StartServingAsync();
        await Task.WhenAll(nodes.Select(n => ReadinessAsync(n, HttpStatusCode.OK)));
        await Task.Delay(1000);
        stop.Cancel();
        await Task.WhenAll(load);

        answers.Count.ShouldBeGreaterThan(50);
        answers.Where(a => a.Error is not null || a.Took >= RequestTimeout).ShouldBeEmpty("hung or broken requests");
        // An outage, not a bug: 503 (and Retry-After) from the nodes as from the balancer, never a 500 or a refusal.
        answers.Where(a => a.Status is not (200 or 303 or 503)).ShouldBeEmpty("answers other than the normal one or 503");
        answers.ShouldContain(a => a.Status == 503 && a.Target != "balancer" && !a.Request.EndsWith("/readyz"), "the outage was noticed by no API request");

        // Afterwards: every node writes again, and a write on one reaches the others' caches (the feed listens again).
        foreach (var http in nodes)
            (await new LibraryClient(http).PostAsync("/v1/containers", new { name = $"after{Guid.NewGuid():N}"[..14], collection })).Status.ShouldBe(HttpStatusCode.OK);
        var image = $"/v1/images/{user.Name}/tools/load:1.0";
        foreach (var http in nodes) (await http.GetAsync(image)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await nodes[0].DeleteAsync(image)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var clock = Stopwatch.StartNew();
        foreach (var http in nodes.Skip(1))
            while ((await http.GetAsync(image)).StatusCode != HttpStatusCode.NotFound)
            {
                clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1), "a node served the deleted image from its cache after the restart");
                await Task.Delay(20);
            }
        foreach (var http in nodes) http.Dispose();
    }

    /// <summary>Polls a node's /readyz until it answers <paramref name="wanted"/> (bounded); returns that answer's body.</summary>
    private static async Task<string> ReadinessAsync(HttpClient node, HttpStatusCode wanted)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            try
            {
                using var answer = await node.GetAsync("/readyz");
                if (answer.StatusCode == wanted) return await answer.Content.ReadAsStringAsync();
            }
            catch (HttpRequestException) { }
        }
        throw new TimeoutException($"{node.BaseAddress}readyz never answered {wanted}");
    }

    /// <summary>One worker: reads, pulls' redirects, writes and probes in turn until stopped; every answer recorded.</summary>
    private static async Task LoadAsync(string target, HttpClient http, string entity, string collection, ConcurrentBag<Answer> answers, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var (method, path, body) = (i % 4) switch
            {
                0 => (HttpMethod.Get, $"/v1/images/{entity}/tools/load:1.0", null),
                1 => (HttpMethod.Get, $"/v1/imagefile/{entity}/tools/load:1.0", null),
                2 => (HttpMethod.Post, "/v1/containers", $$"""{"name":"{{$"w{Guid.NewGuid():N}"[..14]}}","collection":"{{collection}}"}"""),
                _ => (HttpMethod.Get, "/readyz", (string?)null),
            };
            var clock = Stopwatch.StartNew();
            try
            {
                using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : TestHttp.GoJson(body) };
                using var answer = await http.SendAsync(request, CancellationToken.None);
                await answer.Content.ReadAsByteArrayAsync(CancellationToken.None);
                answers.Add(new Answer(target, $"{method} {path}", (int)answer.StatusCode, null, clock.Elapsed));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                answers.Add(new Answer(target, $"{method} {path}", 0, $"{e.GetType().Name}: {e.Message}", clock.Elapsed));
            }
            await Task.Delay(50, CancellationToken.None);
        }
    }
}
