using Registry.Tests.Api;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.EndToEnd;

/// <summary>
/// The real Apptainer key client 0.7.2 (EndToEnd/libclient keys.go) against the registry's HKP keyserver (docs/keyserver-hkp.md):
/// what <c>apptainer key push/search/pull</c> do. The client sends a token over plain http only to <c>localhost</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class KeyClientTests(RegistryFixture fx, ITestOutputHelper output)
{
    private string LocalhostUrl => fx.Server.BaseUrl.Replace("127.0.0.1", "localhost");

    private async Task<ProcessResult> Key(string? token, params string[] args)
    {
        List<string> all = ["-url", LocalhostUrl];
        if (token is not null) all.AddRange(["-token", token]);
        var r = await GoDriver.RunAsync([.. all, .. args]);
        output.WriteLine($"$ libclient {string.Join(' ', args)}   (token: {(token is null ? "none" : "yes")})\n{r}\n");
        return r;
    }

    [Fact]
    public async Task Key_push_search_and_pull_by_fingerprint_key_id_and_short_id_round_trip_a_gpg_key()
    {
        using var key = new GpgKey("Dana Keys <dana@example.org>");
        var dana = await fx.NewUserAsync("dana");
        var file = fx.NewPath(".asc");
        await File.WriteAllTextAsync(file, key.Armored);

        var push = await Key(dana.Token, "keypush", file);
        var search = await Key(null, "keysearch", "dana@example.org");
        var byHexSearch = await Key(null, "keysearch", "0x" + key.KeyId.ToUpperInvariant());

        push.ExitCode.ShouldBe(0, push.ToString());
        push.Stdout.Trim().ShouldBe("pushed");
        search.ExitCode.ShouldBe(0, search.ToString());
        search.Stdout.ShouldBe($"info:1:1\npub:{key.Fingerprint}:1:3072:{key.CreatedUnix}::\nuid:Dana Keys <dana@example.org>:{key.CreatedUnix}::\n");
        byHexSearch.Stdout.ShouldBe(search.Stdout);
        foreach (var id in new[] { key.Fingerprint, key.KeyId, key.KeyId[^8..] })
        {
            var pull = await Key(null, "keypull", id);
            pull.ExitCode.ShouldBe(0, pull.ToString());
            GpgKey.FingerprintsOf(pull.Stdout).ShouldBe([key.Fingerprint], id);
        }
    }

    [Fact]
    public async Task Key_push_without_a_token_or_over_another_users_key_and_pull_of_an_unknown_key_fail_with_the_cli_codes()
    {
        using var key = new GpgKey("Erin Keys <erin@example.org>");
        using var franksKey = new GpgKey("Frank <frank@example.org>", "ed25519");
        var erin = await fx.NewUserAsync("erin");
        var frank = await fx.NewUserAsync("frank");
        var file = fx.NewPath(".asc");
        await File.WriteAllTextAsync(file, key.Armored);
        var withFranksUid = fx.NewPath(".asc"); // Erin's key carrying a user id Frank's key signed
        await File.WriteAllTextAsync(withFranksUid, KeyForgery.WithUidOf(key.Armored, franksKey.Armored));

        var anonymous = await Key(null, "keypush", file);
        var first = await Key(erin.Token, "keypush", file);
        var sameCopy = await Key(frank.Token, "keypush", file);
        var stranger = await Key(frank.Token, "keypush", withFranksUid);
        var unknown = await Key(null, "keypull", new string('7', 40));

        anonymous.ExitCode.ShouldBe(4, anonymous.ToString()); // 401: "unauthorized or missing token"
        first.ExitCode.ShouldBe(0, first.ToString());
        sameCopy.ExitCode.ShouldBe(0, sameCopy.ToString()); // adds nothing: "unchanged"
        stranger.ExitCode.ShouldBe(5, stranger.ToString());
        stranger.Stderr.ShouldContain("was uploaded by another user");
        unknown.ExitCode.ShouldBe(3, unknown.ToString()); // 404: "no matching keys found"
    }

    [Fact]
    public async Task Key_search_pages_through_the_next_page_token_and_a_re_push_merges_a_new_user_id()
    {
        var term = RegistryFixture.Unique("pages");
        var keys = Enumerable.Range(0, 3).Select(i => new GpgKey($"Page {i} <{term}-{i}@example.org>", "ed25519")).ToList();
        var gail = await fx.NewUserAsync("gail");
        try
        {
            foreach (var key in keys)
            {
                var file = fx.NewPath(".asc");
                await File.WriteAllTextAsync(file, key.Armored);
                (await Key(gail.Token, "keypush", file)).ExitCode.ShouldBe(0);
            }
            var grown = fx.NewPath(".asc");
            await File.WriteAllTextAsync(grown, keys[0].AddUid($"Page Zero Again <{term}-again@example.org>"));

            var paged = await Key(null, "keypages", term, "2");
            var repush = await Key(gail.Token, "keypush", grown);
            var search = await Key(null, "keysearch", $"{term}-again");

            paged.ExitCode.ShouldBe(0, paged.ToString());
            var pages = paged.Stdout.Split("page ", StringSplitOptions.RemoveEmptyEntries);
            pages.Select(p => p.Split('\n')[1]).ShouldBe(["info:1:2", "info:1:1"]);
            paged.Stdout.Split('\n').Where(l => l.StartsWith("pub:")).Select(l => l.Split(':')[1]).ShouldBe(keys.Select(k => k.Fingerprint), ignoreOrder: true);
            repush.ExitCode.ShouldBe(0, repush.ToString());
            search.Stdout.ShouldBe($"info:1:1\npub:{keys[0].Fingerprint}:22:256:{keys[0].CreatedUnix}::\n"
                + $"uid:Page 0 <{term}-0@example.org>:{keys[0].CreatedUnix}::\nuid:Page Zero Again <{term}-again@example.org>:{keys[0].CreatedUnix}::\n");
        }
        finally
        {
            foreach (var key in keys) key.Dispose();
        }
    }
}
