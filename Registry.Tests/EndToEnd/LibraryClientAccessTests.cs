using System.Net.Http.Headers;
using System.Text.Json;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.EndToEnd;

/// <summary>The real client searches, and meets private collections, other users' entities, scoped and admin tokens and no token at all.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class LibraryClientAccessTests(RegistryFixture fx, ITestOutputHelper output) : LibraryClientTest(fx, output)
{
    [Fact]
    public async Task Search_finds_pushed_image()
    {
        var alice = await fx.NewUserAsync("alice");
        var container = RegistryFixture.Unique("findme");
        var sif = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", sif, $"{alice.Name}/c/{container}", "v1")).ExitCode.ShouldBe(0);

        var search = await Lib(null, "search", container, "-arch", "amd64");

        search.ExitCode.ShouldBe(0, search.ToString());
        var line = Lines(search).ShouldHaveSingleItem();
        line.ShouldStartWith($"library://{alice.Name}/c/{container}:");
        line.Split(':')[^1].Split(',').ShouldContain("v1");
    }

    [Fact]
    public async Task Private_collection_is_hidden_from_anonymous_but_visible_to_owner()
    {
        var alice = await fx.NewUserAsync("alice");
        var container = RegistryFixture.Unique("secret");
        var repo = $"{alice.Name}/hidden/{container}";
        var sif = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", sif, repo, "v1")).ExitCode.ShouldBe(0);
        // Seen while still public: the server now has this lookup cached, and the admin CLI (another process) must end that.
        (await Lib(null, "get", $"{repo}:v1")).ExitCode.ShouldBe(0);
        var priv = await fx.Server.AdminAsync("collection", "private", $"{alice.Name}/hidden");
        priv.ExitCode.ShouldBe(0, priv.ToString());

        var anonSearch = await Lib(null, "search", container, "-arch", "amd64");
        anonSearch.ExitCode.ShouldBe(0, anonSearch.ToString());
        Lines(anonSearch).ShouldBeEmpty("a private image was listed in an anonymous search");

        (await Lib(null, "get", $"{repo}:v1")).ExitCode.ShouldBe(3);
        (await Lib(null, "pull", $"{repo}:v1", fx.NewPath())).ExitCode.ShouldBe(3);

        var other = await fx.NewUserAsync("bob");
        (await Lib(other.Token, "get", $"{repo}:v1")).ExitCode.ShouldBe(3, "another user saw a private image");

        var ownerGet = await Lib(alice.Token, "get", $"{repo}:v1");
        ownerGet.ExitCode.ShouldBe(0, ownerGet.ToString());
        var ownerSearch = await Lib(alice.Token, "search", container, "-arch", "amd64");
        ownerSearch.ExitCode.ShouldBe(0, ownerSearch.ToString());
        Lines(ownerSearch).ShouldHaveSingleItem().ShouldStartWith($"library://{repo}:");
        var ownerPull = await Lib(alice.Token, "pullverify", $"{repo}:v1", fx.NewPath());
        ownerPull.ExitCode.ShouldBe(0, ownerPull.ToString());
    }

    // ---------------------------------------------------------------- 10 authorisation

    [Fact]
    public async Task Push_into_another_users_entity_is_forbidden()
    {
        var alice = await fx.NewUserAsync("alice");
        var mallory = await fx.NewUserAsync("mallory");
        var sif = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", sif, $"{alice.Name}/c/x", "v1")).ExitCode.ShouldBe(0);
        var other = await fx.Sif.CreateAsync(Small);

        // into alice's existing collection (new container) and into a new collection of hers
        foreach (var repo in new[] { $"{alice.Name}/c/evil", $"{alice.Name}/newcoll/x", $"{alice.Name}/c/x" })
        {
            var push = await Lib(mallory.Token, "push", other, repo, "v1");
            push.ExitCode.ShouldBe(1, push.ToString());
            push.Stderr.ShouldContain("403");
        }

        var get = await Lib(alice.Token, "get", $"{alice.Name}/c/x:v1");
        Kv(get)["hash"].ShouldBe(await SifFiles.HashAsync(sif), "mallory changed alice's tag");
    }

    [Fact]
    public async Task Admin_cli_read_token_for_one_collection_pulls_it_and_a_push_prints_why_it_is_refused()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", sif, $"{alice.Name}/ci/x", "v1")).ExitCode.ShouldBe(0);

        var created = await fx.Server.AdminOkAsync("token", "create", alice.Name, "--label", "cluster", "--scope", "read", "--collection", $"{alice.Name}/ci", "--expires", "30d");
        var robot = Lines(created).Last();
        robot.ShouldStartWith("reg_");

        using (var request = new HttpRequestMessage(HttpMethod.Get, "v1/token-status"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", robot);
            using var response = await fx.Server.Http.SendAsync(request);
            using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var data = status.RootElement.GetProperty("data");
            (data.GetProperty("scope").GetString(), data.GetProperty("collection").GetString()).ShouldBe(("read", $"{alice.Name}/ci"));
            data.GetProperty("expires").GetDateTime().ToUniversalTime().ShouldBe(DateTime.UtcNow.AddDays(30), TimeSpan.FromMinutes(5));
        }
        var pulled = fx.NewPath();
        (await Lib(robot, "pull", $"{alice.Name}/ci/x:v1", pulled)).ExitCode.ShouldBe(0);
        FilesEqual(pulled, sif).ShouldBeTrue();

        var push = await Lib(robot, "push", await fx.Sif.CreateAsync(Small), $"{alice.Name}/ci/x", "v2");

        push.ExitCode.ShouldBe(1, push.ToString());
        push.Stderr.ShouldContain($"this token is read-only (scope read) and cannot write to {alice.Name}/ci: create a token with write scope at /auth/tokens (403 Forbidden)");
        (await Lib(alice.Token, "get", $"{alice.Name}/ci/x:v2")).ExitCode.ShouldBe(3);
    }

    [Fact]
    public async Task Admin_cli_promotes_a_user_whose_admin_scope_token_then_acts_as_admin_until_demoted()
    {
        var carol = await fx.NewUserAsync("carol");
        var alice = await fx.NewUserAsync("alice");
        (await Lib(alice.Token, "push", await fx.Sif.CreateAsync(Small), $"{alice.Name}/c/x", "v1")).ExitCode.ShouldBe(0);
        (await fx.Server.AdminOkAsync("user", "admin", carol.Name)).Stdout.ShouldContain($"{carol.Name} is now an admin");
        var adminToken = Lines(await fx.Server.AdminOkAsync("token", "create", carol.Name, "--scope", "admin")).Last();

        (await CurrentRoleAsync(adminToken)).ShouldBe("admin");
        (await CurrentRoleAsync(carol.Token)).ShouldBe("user"); // her earlier write token carries no admin power
        (await Lib(carol.Token, "delete", $"{alice.Name}/c/x:v1", "amd64")).ExitCode.ShouldBe(1); // not with the write token
        (await Lib(adminToken, "delete", $"{alice.Name}/c/x:v1", "amd64")).ExitCode.ShouldBe(0);

        (await fx.Server.AdminOkAsync("user", "admin", carol.Name, "--revoke")).Stdout.ShouldContain($"{carol.Name} is no longer an admin");
        (await CurrentRoleAsync(adminToken)).ShouldBe("user");
    }

    private async Task<string> CurrentRoleAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/rbac/users/current");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await fx.Server.Http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("role").GetString()!;
    }

    [Fact]
    public async Task Push_without_token_is_refused()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Small);

        // a new entity, and alice's existing entity
        var anonNew = await Lib(null, "push", sif, $"{RegistryFixture.Unique("nobody")}/c/x", "v1");
        anonNew.ExitCode.ShouldBe(1, anonNew.ToString());
        anonNew.Stderr.ShouldContain("401");

        (await Lib(alice.Token, "push", await fx.Sif.CreateAsync(Small), $"{alice.Name}/c/x", "v1")).ExitCode.ShouldBe(0);
        var anonExisting = await Lib(null, "push", sif, $"{alice.Name}/c/x", "v2");
        anonExisting.ExitCode.ShouldBe(1, anonExisting.ToString());
        anonExisting.Stderr.ShouldContain("401");
        (await Lib(null, "get", $"{alice.Name}/c/x:v2")).ExitCode.ShouldBe(3);
    }
}
