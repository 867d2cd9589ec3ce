using System.Net;
using System.Text.Json;
using Registry.Tests.SignIn;
using Xunit.Abstractions;

namespace Registry.Tests.Faults;

/// <summary>
/// The database cannot grow (its filesystem is full, SQLITE_FULL): API writes and sign-in answer 507, never 500, and
/// leave nothing half-written; with space back everything works again.
/// </summary>
[Collection(FaultsCollection.Name)]
public sealed class DatabaseFullTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("registry-faults-db-").FullName;

    [Fact]
    public async Task Writes_and_sign_in_answer_507_when_the_database_cannot_grow()
    {
        await using var fs = await SmallFilesystem.MountAsync(Path.Combine(_root, "mnt"), 16);
        var data = Path.Combine(fs.MountPoint, "data");
        await using var server = await FaultServer.StartAsync(data);
        var password = await server.CreateUserAsync("full");
        using var client = new FaultClient(server.BaseUrl, await server.CreateTokenAsync("full"));
        var entity = (string)(await client.SendAsync(HttpMethod.Get, "v1/entities/full")).Json!["data"]!["id"]!;
        using var browser = new BrowserSession(new Uri(server.BaseUrl));
        var login = await browser.GetAsync("/Account/Login"); // the antiforgery keys are written while there is room

        var ballast = Path.Combine(fs.MountPoint, "ballast");
        SmallFilesystem.Fill(ballast, leave: 0);

        // 1. Collections until the database takes no more (the WAL reuses its room first): that one is 507, none is 500.
        Answer? refused = null;
        var name = "";
        for (var i = 0; i < 3000 && refused is null; i++)
        {
            name = $"c{i}";
            var answer = await client.SendAsync(HttpMethod.Post, "v1/collections",
                JsonSerializer.Serialize(new { name, entity, description = new string('x', 4000), @private = false }));
            if (answer.Status != HttpStatusCode.OK) refused = answer;
        }
        output.WriteLine($"refused {name}: {refused}");
        refused.ShouldNotBeNull("the database never ran out of room");
        try { refused.Status.ShouldBe(HttpStatusCode.InsufficientStorage, refused.ToString()); }
        catch { output.WriteLine(server.Log); throw; }
        DiskFullTests.ShouldBeErrorEnvelope(refused.Text, 507);

        // 2. Sign-in (it records an audit event): 507 with a message a person can act on, and no session cookie.
        var signIn = await browser.SubmitAsync(login, "login", new() { ["Input.Email"] = "full", ["Input.Password"] = password }, follow: false);
        ((int)signIn.Status).ShouldBe(507, signIn.Html);
        signIn.Html.ShouldContain("disk is full");
        signIn.Html.ShouldNotContain("Exception");
        signIn.Response.Headers.TryGetValues("Set-Cookie", out var cookies);
        (cookies ?? []).ShouldNotContain(c => c.StartsWith(".AspNetCore.Identity.Application"));

        // 3. Space back: the refused collection does not exist, the database is whole, and both work again.
        File.Delete(ballast);
        (await client.SendAsync(HttpMethod.Get, $"v1/collections/full/{name}")).Status.ShouldBe(HttpStatusCode.NotFound);
        DataFolder.IntegrityCheck(data).ShouldBe("ok");
        (await client.SendAsync(HttpMethod.Post, "v1/collections",
            JsonSerializer.Serialize(new { name, entity, description = "", @private = false }))).Status.ShouldBe(HttpStatusCode.OK);
        var again = await LocalSignIn.SignInAsync(browser, "full", password);
        again.Address.AbsolutePath.ShouldBe("/");
        server.HasExited.ShouldBeFalse();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }
}
