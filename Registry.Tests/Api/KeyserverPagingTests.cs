using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Data;
using Registry.Core.Keys;

namespace Registry.Tests.Api;

/// <summary><c>op=index</c> paging (docs/keyserver-hkp.md): <c>x-pagesize</c>, <c>X-HKP-Next-Page-Token</c> sent back as <c>x-pagetoken</c>.</summary>
public class KeyserverPagingTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private static readonly DateTime Uploaded = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>Index rows only (the index reads no armor): <paramref name="count"/> keys whose user ids hold <paramref name="term"/>.</summary>
    private async Task<List<string>> SeedAsync(string term, int count, int firstSecond = 0, int step = 1)
    {
        var keys = Enumerable.Range(0, count).Select(i => new PublicKey
        {
            Fingerprint = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + i.ToString("x8"),
            KeyId = i.ToString("x16"),
            Algorithm = 22,
            Bits = 256,
            KeyCreatedAt = Uploaded,
            Uids = $"Key {i} <{term}-{i}@example.org>",
            CreatedAt = Uploaded.AddSeconds(firstSecond + i * step),
        }).ToList();
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        db.PublicKeys.AddRange(keys);
        await db.SaveChangesAsync();
        return keys.Select(k => k.Fingerprint).ToList();
    }

    private async Task<(HttpStatusCode Status, string Body, string? Next)> IndexAsync(string search, string extra = "")
    {
        using var response = await factory.Client().GetAsync($"/pks/lookup?op=index&options=mr&search={Uri.EscapeDataString(search)}{extra}");
        var next = response.Headers.TryGetValues("X-HKP-Next-Page-Token", out var values) ? values.Single() : null;
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), next);
    }

    private static List<string> PubsOf(string index) => index.Split('\n').Where(l => l.StartsWith("pub:")).Select(l => l.Split(':')[1]).ToList();

    [Fact]
    public async Task Pages_of_two_cover_every_match_once_and_each_count_equals_its_pub_lines()
    {
        var term = "pager" + Guid.NewGuid().ToString("N")[..8];
        // One upload time for all: the fingerprint breaks the tie, so no key is lost or repeated between pages.
        var seeded = await SeedAsync(term, 5, step: 0);

        var first = await IndexAsync(term, "&x-pagesize=2");
        var second = await IndexAsync(term, $"&x-pagesize=2&x-pagetoken={first.Next}");
        var third = await IndexAsync(term, $"&x-pagesize=2&x-pagetoken={second.Next}");

        var ordered = seeded.Order(StringComparer.Ordinal).ToList();
        (first.Status, second.Status, third.Status).ShouldBe((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK));
        first.Body.ShouldStartWith("info:1:2\n");
        PubsOf(first.Body).ShouldBe(ordered[..2]);
        second.Body.ShouldStartWith("info:1:2\n");
        PubsOf(second.Body).ShouldBe(ordered[2..4]);
        third.Body.ShouldStartWith("info:1:1\n");
        PubsOf(third.Body).ShouldBe(ordered[4..]);
        first.Next.ShouldNotBeNull();
        second.Next.ShouldNotBeNull();
        third.Next.ShouldBeNull();
        // Without a page size the client's 256 is assumed: everything in one page, no token.
        var all = await IndexAsync(term);
        all.Body.ShouldStartWith("info:1:5\n");
        all.Next.ShouldBeNull();
    }

    [Fact]
    public async Task A_token_only_moves_the_start_it_never_widens_the_search()
    {
        var mine = "mine" + Guid.NewGuid().ToString("N")[..8];
        var other = "other" + Guid.NewGuid().ToString("N")[..8];
        await SeedAsync(mine, 3);
        var others = await SeedAsync(other, 2, firstSecond: -1, step: 2);

        var page = await IndexAsync(mine, "&x-pagesize=1");
        var reused = await IndexAsync(other, $"&x-pagetoken={page.Next}");

        // The token points after the first of "mine" (uploaded at +0 s): the other search lists only its own key uploaded later (+1 s), not the one before (-1 s).
        reused.Status.ShouldBe(HttpStatusCode.OK);
        PubsOf(reused.Body).ShouldBe([others[1]]);
        reused.Body.ShouldNotContain(mine);
    }

    [Fact]
    public async Task A_page_size_above_1000_gets_1000_and_a_token_for_the_rest()
    {
        var term = "many" + Guid.NewGuid().ToString("N")[..8];
        await SeedAsync(term, 1001);

        var first = await IndexAsync(term, "&x-pagesize=5000");
        var rest = await IndexAsync(term, $"&x-pagesize=5000&x-pagetoken={first.Next}");

        first.Body.ShouldStartWith("info:1:1000\n");
        PubsOf(first.Body).Count.ShouldBe(1000);
        first.Next.ShouldNotBeNull();
        rest.Body.ShouldStartWith("info:1:1\n");
        rest.Next.ShouldBeNull();
    }

    [Theory]
    [InlineData("&x-pagesize=0", "x-pagesize '0' is not a whole number of at least 1 (at most 1000 are returned)")]
    [InlineData("&x-pagesize=ten", "x-pagesize 'ten' is not a whole number of at least 1 (at most 1000 are returned)")]
    [InlineData("&x-pagetoken=%27%20OR%201%3D1%20--", "x-pagetoken is not a page token from this keyserver: send back the X-HKP-Next-Page-Token header unchanged")]
    [InlineData("&x-pagetoken=MS4nIE9SIDE9MS0t", "x-pagetoken is not a page token from this keyserver: send back the X-HKP-Next-Page-Token header unchanged")]
    public async Task Bad_page_sizes_and_tokens_are_refused_with_the_envelope(string extra, string message)
    {
        var response = await IndexAsync("anyone", extra);

        response.Status.ShouldBe(HttpStatusCode.BadRequest);
        JsonNode.Parse(response.Body)!["error"]!["message"]!.GetValue<string>().ShouldBe(message);
    }

    [Fact]
    public void A_token_is_opaque_base64url_and_round_trips_only_its_own_shape()
    {
        var token = new KeyPageToken(Uploaded, new string('a', 40));

        KeyPageToken.Decode(token.Encode()).ShouldBe(token);
        token.Encode().ShouldNotContain(new string('a', 40));
        // "1.' OR 1=1--" (the base64url of the theory above) and a fingerprint of the wrong length are not tokens.
        Encoding.ASCII.GetString(Base64Url.DecodeFromChars("MS4nIE9SIDE9MS0t")).ShouldBe("1.' OR 1=1--");
        KeyPageToken.Decode(Base64Url.EncodeToString("5.abc"u8)).ShouldBeNull();
    }
}
