using System.Net;
using Registry.Core.Storage.SharedFolder;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;
using Registry.Tests.SignIn;

namespace Registry.Tests.Nodes;

/// <summary>
/// Several processes on one data folder: the URL-signing key is made once however many start at once, and what one node
/// mints (a sign-in cookie, a signed download URL) another node accepts.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class SharedDataFolderTests
{
    [Fact]
    public async Task Racing_creators_on_an_empty_folder_all_end_with_the_one_winning_key()
    {
        for (var round = 0; round < 20; round++)
        {
            var folder = Directory.CreateTempSubdirectory("registry-once-").FullName;
            try
            {
                var path = Path.Combine(folder, "keys", "url-signing.key");
                using var start = new ManualResetEventSlim();
                var racers = Enumerable.Range(0, 16).Select(_ => Task.Factory.StartNew(() =>
                {
                    start.Wait();
                    return CreateOnce.ReadOrCreate(path, () => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
                }, TaskCreationOptions.LongRunning)).ToList();
                start.Set();
                var keys = await Task.WhenAll(racers);
                keys.Select(Convert.ToHexString).Distinct().Count().ShouldBe(1);
                keys[0].Length.ShouldBe(32);
                File.ReadAllBytes(path).ShouldBe(keys[0]);
                Directory.GetFiles(Path.GetDirectoryName(path)!).ShouldBe([path]); // no temp file left behind
            }
            finally { Directory.Delete(folder, recursive: true); }
        }
    }

    /// <summary>
    /// A node starting while the folder is held exclusively (another node's start-up recovery, which two nodes starting at
    /// once made a crash on CI; or an admin restore) waits for it, then serves.
    /// </summary>
    [Fact]
    public async Task A_node_starting_while_the_folder_is_held_exclusively_waits_and_then_serves()
    {
        var data = Directory.CreateTempSubdirectory("registry-shared-").FullName;
        try
        {
            var held = ServerLease.TryHoldExclusive(data);
            held.ShouldNotBeNull();
            var starting = RegistryServer.StartAsync(new HostSetup { DataPath = data }, readyWithin: TimeSpan.FromSeconds(120));
            var waited = await Task.WhenAny(starting, Task.Delay(TimeSpan.FromSeconds(8)));
            waited.ShouldNotBe(starting, "the node answered while the folder was held exclusively");
            ServerLease.TryHoldExclusive(data).ShouldBeNull(); // our own second ask fails too: the lock is real

            held.Dispose();
            await using var node = await starting;
            using var http = new HttpClient { BaseAddress = new Uri(node.BaseUrl) };
            (await http.GetAsync("/version")).StatusCode.ShouldBe(HttpStatusCode.OK);
            ServerLease.TryHoldExclusive(data).ShouldBeNull(); // and now the serving node holds it
        }
        finally { Directory.Delete(data, recursive: true); }
    }

    [Fact]
    public async Task Two_nodes_started_at_once_on_one_empty_folder_accept_each_others_cookies_and_signed_urls()
    {
        var data = Directory.CreateTempSubdirectory("registry-shared-").FullName;
        try
        {
            var setup = new HostSetup { DataPath = data };
            var starting = new[] { RegistryServer.StartAsync(setup), RegistryServer.StartAsync(setup) };
            await using var a = await starting[0];
            await using var b = await starting[1];

            // A sign-in on node A: its cookie opens a signed-in page on node B.
            var name = RegistryFixture.Unique("roamer");
            var password = await a.CreateUserAsync(name);
            var cookies = new CookieContainer();
            using (var onA = new BrowserSession(new Uri(a.BaseUrl), cookies: cookies))
                (await LocalSignIn.SignInAsync(onA, name, password, returnUrl: "/auth/tokens")).Address.AbsolutePath.ShouldBe("/auth/tokens");
            var cookie = cookies.GetCookies(new Uri(a.BaseUrl)).Single(c => c.Name == ".AspNetCore.Identity.Application");
            using var onB = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(b.BaseUrl) };
            using var tokensOnB = new HttpRequestMessage(HttpMethod.Get, "/auth/tokens");
            tokensOnB.Headers.Add("Cookie", $"{cookie.Name}={cookie.Value}");
            using var page = await onB.SendAsync(tokensOnB);
            page.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await page.Content.ReadAsStringAsync()).ShouldContain(name);

            // A signed download URL minted on A is served by B.
            var token = await a.CreateTokenAsync(name);
            var file = SifBuilder.Bytes(64 * 1024);
            using var http = TestHttp.Client(new Uri(a.BaseUrl), token);
            await new LibraryClient(http).PushAsync(name, "tools", "shared", file, "1.0");
            using var redirect = await http.GetAsync($"/v1/imagefile/{name}/tools/shared:1.0");
            redirect.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
            redirect.Headers.Location!.GetLeftPart(UriPartial.Authority).ShouldBe(a.BaseUrl);
            (await b.Http.GetByteArrayAsync(redirect.Headers.Location.PathAndQuery)).ShouldBe(file);
            // … and a tampered one is not.
            var forged = redirect.Headers.Location.PathAndQuery[..^1] + (redirect.Headers.Location.PathAndQuery[^1] == '0' ? '1' : '0');
            (await b.Http.GetAsync(forged)).StatusCode.ShouldNotBe(HttpStatusCode.OK);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
