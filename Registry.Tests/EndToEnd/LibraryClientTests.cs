using System.Net.Http.Headers;
using System.Text.Json;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.EndToEnd;

/// <summary>
/// End-to-end scenarios (push, pull, search, delete, remote login of docs/library-api.md) with the real Apptainer library client 1.2.2
/// (EndToEnd/libclient) against the real server started as a child process.
/// Every test uses its own users, entities and collections.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class LibraryClientTests(RegistryFixture fx, ITestOutputHelper output)
{
    private const int Small = 200_000;
    private const int Big = 70_000_000; // SIF > 64 MiB => multipart upload (RegistryServer offers 32 MiB parts: 3 of them)

    // ---------------------------------------------------------------- 1 version

    [Fact]
    public async Task Version_reports_api_version_2_0_0_alpha_2()
    {
        var r = await Lib(null, "version");

        r.ExitCode.ShouldBe(0, r.ToString());
        Kv(r)["apiVersion"].ShouldBe("2.0.0-alpha.2");
    }

    // ---------------------------------------------------------------- 2 push + get

    [Fact]
    public async Task Push_then_get_reports_uploaded_image_with_hash_and_size()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Small);
        var uploadsBefore = fx.Server.CountLogLines(UploadLogLine);

        var push = await Lib(alice.Token, "push", sif, $"{alice.Name}/c/x", "v1,latest");

        push.ExitCode.ShouldBe(0, push.ToString());
        push.Stdout.ShouldContain("containerUrl=");
        push.Stdout.ShouldContain("quota=");
        Kv(push)["containerUrl"].ShouldNotBeNullOrWhiteSpace();
        (await WaitForUploadCountAsync(uploadsBefore)).ShouldBeGreaterThan(uploadsBefore,
            $"the server logged no '{UploadLogLine}' line for the upload PUT");

        foreach (var tag in new[] { "v1", "latest" })
        {
            var get = await Lib(alice.Token, "get", $"{alice.Name}/c/x:{tag}", "-arch", "amd64");
            get.ExitCode.ShouldBe(0, get.ToString());
            var img = Kv(get);
            img["uploaded"].ShouldBe("true");
            img["hash"].ShouldBe(await SifFiles.HashAsync(sif));
            img["size"].ShouldBe(new FileInfo(sif).Length.ToString());
        }
    }

    // ---------------------------------------------------------------- 3 re-push: no upload

    [Fact]
    public async Task Repush_of_same_file_with_new_tag_does_not_upload_again()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Small);
        var before = fx.Server.CountLogLines(UploadLogLine);

        var first = await Lib(alice.Token, "push", sif, $"{alice.Name}/c/x", "v1");
        first.ExitCode.ShouldBe(0, first.ToString());
        (await WaitForUploadCountAsync(before)).ShouldBeGreaterThan(before,
            $"the server logged no '{UploadLogLine}' line for the first upload; the counter cannot prove anything");
        await fx.Server.WaitForQuietLogAsync();
        var afterFirst = fx.Server.CountLogLines(UploadLogLine);

        var second = await Lib(alice.Token, "push", sif, $"{alice.Name}/c/x", "v2");

        second.ExitCode.ShouldBe(0, second.ToString());
        second.Stderr.ShouldContain("already present in the library");
        await fx.Server.WaitForQuietLogAsync();
        fx.Server.CountLogLines(UploadLogLine).ShouldBe(afterFirst, "the re-push uploaded the file again");

        var v1 = await GetImageJsonAsync($"{alice.Name}/c/x:v1", "amd64", alice.Token);
        var v2 = await GetImageJsonAsync($"{alice.Name}/c/x:v2", "amd64", alice.Token);
        v2.GetProperty("id").GetString().ShouldBe(v1.GetProperty("id").GetString());
        v2.GetProperty("hash").GetString().ShouldBe(await SifFiles.HashAsync(sif));
    }

    // ---------------------------------------------------------------- 4 pull

    [Fact]
    public async Task Pull_and_pullverify_return_the_pushed_bytes()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", sif, $"{alice.Name}/c/x", "v1")).ExitCode.ShouldBe(0);

        var outPull = fx.NewPath();
        var pull = await Lib(alice.Token, "pull", $"{alice.Name}/c/x:v1", outPull);
        pull.ExitCode.ShouldBe(0, pull.ToString());
        FilesEqual(sif, outPull).ShouldBeTrue("pull: downloaded file differs from the pushed one");

        var outVerify = fx.NewPath();
        var verify = await Lib(alice.Token, "pullverify", $"{alice.Name}/c/x:v1", outVerify);
        verify.ExitCode.ShouldBe(0, verify.ToString());
        FilesEqual(sif, outVerify).ShouldBeTrue("pullverify: downloaded file differs from the pushed one");
    }

    [Fact]
    public async Task Pull_by_hash_finds_the_image_after_its_tag_moved_on()
    {
        var alice = await fx.NewUserAsync("alice");
        var first = await fx.Sif.CreateAsync(Small);
        var second = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", first, $"{alice.Name}/c/x", "latest")).ExitCode.ShouldBe(0);
        (await Lib(alice.Token, "push", second, $"{alice.Name}/c/x", "latest")).ExitCode.ShouldBe(0);
        var hash = await SifFiles.HashAsync(first); // "sha256.<hex>", the client's own ref form

        var output = fx.NewPath();
        var pull = await Lib(alice.Token, "pullverify", $"{alice.Name}/c/x:{hash}", output);

        pull.ExitCode.ShouldBe(0, pull.ToString());
        FilesEqual(first, output).ShouldBeTrue("pull by hash returned other bytes");
        (await Lib(null, "get", $"{alice.Name}/c/x:sha256.{new string('0', 64)}")).ExitCode.ShouldBe(3);
    }

    [Fact]
    public async Task Concurrent_first_pushes_into_a_new_collection_all_succeed()
    {
        // Each client finds no collection and creates it: all but the first find it made by another push meanwhile.
        var alice = await fx.NewUserAsync("alice");
        var sifs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => fx.Sif.CreateAsync(Small)));

        var pushes = await Task.WhenAll(sifs.Select((sif, i) => Lib(alice.Token, "push", sif, $"{alice.Name}/fresh/x{i}", "v1")));

        pushes.ShouldAllBe(p => p.ExitCode == 0, string.Join("\n", pushes.Where(p => p.ExitCode != 0)));
        for (var i = 0; i < sifs.Length; i++)
            Kv(await Lib(alice.Token, "get", $"{alice.Name}/fresh/x{i}:v1"))["hash"].ShouldBe(await SifFiles.HashAsync(sifs[i]));
    }

    // ---------------------------------------------------------------- 5 arch

    [Fact]
    public async Task Same_tag_holds_different_images_per_architecture()
    {
        var alice = await fx.NewUserAsync("alice");
        var amd = await fx.Sif.CreateAsync(Small, "amd64");
        var arm = await fx.Sif.CreateAsync(Small, "arm64");
        var repo = $"{alice.Name}/c/x";

        (await Lib(alice.Token, "push", amd, repo, "v1", "-arch", "amd64")).ExitCode.ShouldBe(0);
        var pushArm = await Lib(alice.Token, "push", arm, repo, "v1", "-arch", "arm64");
        pushArm.ExitCode.ShouldBe(0, pushArm.ToString());

        var getAmd = await Lib(alice.Token, "get", $"{repo}:v1", "-arch", "amd64");
        var getArm = await Lib(alice.Token, "get", $"{repo}:v1", "-arch", "arm64");
        getAmd.ExitCode.ShouldBe(0, getAmd.ToString());
        getArm.ExitCode.ShouldBe(0, getArm.ToString());
        Kv(getAmd)["hash"].ShouldBe(await SifFiles.HashAsync(amd));
        Kv(getArm)["hash"].ShouldBe(await SifFiles.HashAsync(arm));
        Kv(getArm)["hash"].ShouldNotBe(Kv(getAmd)["hash"]);
        Kv(getArm)["arch"].ShouldBe("arm64");
        Kv(getAmd)["arch"].ShouldBe("amd64");

        var outArm = fx.NewPath();
        var verify = await Lib(alice.Token, "pullverify", $"{repo}:v1", outArm, "-arch", "arm64");
        verify.ExitCode.ShouldBe(0, verify.ToString());
        FilesEqual(arm, outArm).ShouldBeTrue();
    }

    // ---------------------------------------------------------------- 6/7 multipart + concurrent pull

    [Fact]
    public async Task Big_image_uses_multipart_push_and_pulls_back_equal()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Big);
        new FileInfo(sif).Length.ShouldBeGreaterThan(64L * 1024 * 1024);
        var repo = $"{alice.Name}/big/x";

        var push = await Lib(alice.Token, "push", sif, repo, "v1");
        push.ExitCode.ShouldBe(0, push.ToString());
        push.Stderr.ShouldContain("Multi-part upload: ID=", customMessage: "the client did not use multipart");
        Lines(push.Stderr).Count(l => l.StartsWith("# Uploading part ")).ShouldBeGreaterThanOrEqualTo(2);
        Kv(push)["containerUrl"].ShouldNotBeNullOrWhiteSpace();

        var get = await Lib(alice.Token, "get", $"{repo}:v1");
        get.ExitCode.ShouldBe(0, get.ToString());
        Kv(get)["size"].ShouldBe(new FileInfo(sif).Length.ToString());
        Kv(get)["uploaded"].ShouldBe("true");

        var outVerify = fx.NewPath();
        var verify = await Lib(alice.Token, "pullverify", $"{repo}:v1", outVerify);
        verify.ExitCode.ShouldBe(0, verify.ToString());
        FilesEqual(sif, outVerify).ShouldBeTrue("pullverify: big file differs");

        var outConc = fx.NewPath();
        var conc = await Lib(alice.Token, "pullconc", $"{repo}:v1", outConc);
        conc.ExitCode.ShouldBe(0, conc.ToString());
        FilesEqual(sif, outConc).ShouldBeTrue("pullconc: big file differs");
        // 303 + ranges: the 0-1024 probe, then one ranged GET per 1 MiB part.
        conc.Stderr.ShouldNotContain("does not support concurrent downloads");
        int.Parse(Kv(conc)["ranged"]).ShouldBeGreaterThanOrEqualTo(1 + (int)Math.Ceiling(new FileInfo(sif).Length / (double)(1 << 20)));
    }

    // ---------------------------------------------------------------- 8 search

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

    [Fact]
    public async Task Frozen_tag_cannot_be_moved()
    {
        var alice = await fx.NewUserAsync("alice");
        var repo = $"{alice.Name}/c/x";
        var first = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", first, repo, "v1")).ExitCode.ShouldBe(0);
        var freeze = await fx.Server.AdminAsync("tag", "freeze", $"{repo}:v1", "amd64");
        freeze.ExitCode.ShouldBe(0, freeze.ToString());

        var second = await fx.Sif.CreateAsync(Small);
        var push = await Lib(alice.Token, "push", second, repo, "v1");

        push.ExitCode.ShouldBe(1, push.ToString());
        var get = await Lib(alice.Token, "get", $"{repo}:v1");
        get.ExitCode.ShouldBe(0, get.ToString());
        Kv(get)["hash"].ShouldBe(await SifFiles.HashAsync(first), "the frozen tag moved");
    }

    // ---------------------------------------------------------------- 9 delete

    [Fact]
    public async Task Delete_removes_image_and_its_tags_but_keeps_shared_blob()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", sif, $"{alice.Name}/c/x", "v1,v2")).ExitCode.ShouldBe(0);
        (await Lib(alice.Token, "push", sif, $"{alice.Name}/c/y", "v1")).ExitCode.ShouldBe(0); // same blob

        var anon = await Lib(null, "delete", $"{alice.Name}/c/x:v2", "amd64");
        anon.ExitCode.ShouldNotBe(0, "anonymous delete succeeded");

        var del = await Lib(alice.Token, "delete", $"{alice.Name}/c/x:v2", "amd64");
        del.ExitCode.ShouldBe(0, del.ToString());

        (await Lib(alice.Token, "get", $"{alice.Name}/c/x:v2")).ExitCode.ShouldBe(3);
        (await Lib(alice.Token, "get", $"{alice.Name}/c/x:v1")).ExitCode.ShouldBe(3, "tag v1 still points to the deleted image");
        (await Lib(alice.Token, "delete", $"{alice.Name}/c/x:v2", "amd64")).ExitCode.ShouldBe(3);

        var outY = fx.NewPath();
        var pullY = await Lib(alice.Token, "pullverify", $"{alice.Name}/c/y:v1", outY);
        pullY.ExitCode.ShouldBe(0, pullY.ToString());
        FilesEqual(sif, outY).ShouldBeTrue("the blob shared with c/y was damaged by the delete");
    }

    // ---------------------------------------------------------------- 10 not found / malformed

    [Fact]
    public async Task Unknown_image_is_not_found()
    {
        var alice = await fx.NewUserAsync("alice");
        (await Lib(alice.Token, "push", await fx.Sif.CreateAsync(Small), $"{alice.Name}/c/x", "v1")).ExitCode.ShouldBe(0);

        (await Lib(null, "get", $"{alice.Name}/c/nope:latest")).ExitCode.ShouldBe(3);
        (await Lib(null, "get", $"{alice.Name}/c/x:nope")).ExitCode.ShouldBe(3);
        (await Lib(null, "get", $"{RegistryFixture.Unique("ghost")}/c/x:latest")).ExitCode.ShouldBe(3);
        (await Lib(null, "get", $"{alice.Name}/c/x:v1", "-arch", "arm64")).ExitCode.ShouldBe(3);

        var pull = await Lib(null, "pull", $"{alice.Name}/c/x:nope", fx.NewPath());
        pull.ExitCode.ShouldBe(3, pull.ToString());
        pull.Stderr.ShouldContain("requested image was not found in the library");
    }

    [Theory]
    [InlineData("e/c/../x:latest")]
    [InlineData("E/c/x:latest")]
    [InlineData("e/C/x:latest")]
    [InlineData("e/c/X:latest")]
    [InlineData("e/c/x:LATEST")]
    [InlineData("e/c/x:bad!tag")]
    [InlineData("e/c_/x:latest")]
    [InlineData("-e/c/x:latest")]
    public async Task Malformed_refs_are_rejected(string badRef)
    {
        var alice = await fx.NewUserAsync("alice");
        // make the well-formed variant exist so a lenient server could answer it
        (await Lib(alice.Token, "push", await fx.Sif.CreateAsync(Small), $"{alice.Name}/c/x", "latest")).ExitCode.ShouldBe(0);
        var r = badRef.Replace("e/", alice.Name + "/", StringComparison.Ordinal)
                      .Replace("E/", alice.Name.ToUpperInvariant() + "/", StringComparison.Ordinal);

        var get = await Lib(null, "get", "--", r);

        get.ExitCode.ShouldNotBe(0, get.ToString());
    }

    [Fact]
    public async Task Push_with_invalid_tag_is_refused_by_server()
    {
        var alice = await fx.NewUserAsync("alice");
        var push = await Lib(alice.Token, "push", await fx.Sif.CreateAsync(Small), $"{alice.Name}/c/x", "Bad_Tag");

        push.ExitCode.ShouldBe(1, push.ToString());
        push.Stderr.ShouldContain("400");
        (await Lib(alice.Token, "get", $"{alice.Name}/c/x:Bad_Tag")).ExitCode.ShouldNotBe(0);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Substring the server logs once per upload PUT it receives.</summary>
    private const string UploadLogLine = "upload received";

    private async Task<ProcessResult> Lib(string? token, params string[] args)
    {
        var r = await fx.LibAsync(token, args);
        output.WriteLine($"$ libclient {string.Join(' ', args)}   (token: {(token is null ? "none" : "yes")})\n{r}\n");
        return r;
    }

    /// <summary>The <c>key=value</c> lines of the driver's stdout.</summary>
    private static Dictionary<string, string> Kv(ProcessResult r) =>
        r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains('='))
            .Select(l => l.Split('=', 2))
            .GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);

    private static string[] Lines(ProcessResult r) => Lines(r.Stdout);

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool FilesEqual(string a, string b) =>
        new FileInfo(a).Length == new FileInfo(b).Length && File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));

    private async Task<int> WaitForUploadCountAsync(int before)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (fx.Server.CountLogLines(UploadLogLine) <= before && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        return fx.Server.CountLogLines(UploadLogLine);
    }

    /// <summary>GET /v1/images/{reference}?arch= with HttpClient; returns the <c>data</c> member.</summary>
    private async Task<JsonElement> GetImageJsonAsync(string reference, string arch, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/images/{reference}?arch={arch}");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await fx.Server.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"GET /v1/images/{reference}?arch={arch} -> {(int)response.StatusCode} {body}");
        ((int)response.StatusCode).ShouldBe(200, body);
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("data").Clone();
    }
}
