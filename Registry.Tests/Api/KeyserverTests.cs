using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Keys;

namespace Registry.Tests.Api;

/// <summary>The HKP keyserver (docs/keyserver-hkp.md) with real gpg keys: add, index, get, and who may replace a key.</summary>
public class KeyserverTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private static async Task<(HttpStatusCode Status, string Body, string? Type)> AddAsync(HttpClient client, string keyText)
    {
        using var response = await client.PostAsync("/pks/add", new FormUrlEncodedContent([new("keytext", keyText)]));
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<(HttpStatusCode Status, string Body, string? Type)> LookupAsync(string query)
    {
        using var response = await factory.Client().GetAsync("/pks/lookup?" + query);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>
    /// A form larger than any key, on a raw socket: the server answers 413 from the Content-Length alone and closes the
    /// connection, so HttpClient, still sending, may see a broken pipe instead of the answer (a race it lost in CI).
    /// </summary>
    private async Task<(HttpStatusCode Status, string Body)> AddOversizedAsync(string token, int length)
    {
        var body = System.Text.Encoding.ASCII.GetBytes("keytext=" + new string('A', length));
        var head = $"POST /pks/add HTTP/1.1\r\nHost: {factory.BaseAddress.Authority}\r\nAuthorization: Bearer {token}\r\n"
                   + $"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {body.Length}";
        var response = await Faults.RawHttp.SendAsync(factory.BaseAddress, head, body, TimeSpan.FromSeconds(30));
        response.ShouldNotBeNull("no answer to an oversized key form");
        return ((HttpStatusCode)response.Status, response.Body);
    }

    private static string ErrorOf(string body) => JsonNode.Parse(body)!["error"]!["message"]!.GetValue<string>();

    [Fact]
    public async Task An_added_key_is_in_the_index_and_get_returns_it_by_fingerprint_key_id_and_short_id()
    {
        using var key = new GpgKey("Alice Example <alice@example.org>");
        var (_, token) = await factory.CreateUserAsync("keyalice");

        var added = await AddAsync(factory.Client(token), key.Armored);
        var index = await LookupAsync("fingerprint=on&op=index&options=mr&search=ALICE%40example&x-pagesize=256");

        added.Status.ShouldBe(HttpStatusCode.OK);
        added.Body.ShouldBe($"added key {key.Fingerprint.ToUpperInvariant()}\n");
        index.Status.ShouldBe(HttpStatusCode.OK);
        index.Type.ShouldBe("text/plain");
        index.Body.ShouldBe($"info:1:1\npub:{key.Fingerprint}:1:3072:{key.CreatedUnix}::\nuid:Alice Example <alice@example.org>:{key.CreatedUnix}::\n");
        var keyIdWithoutZeros = "0x" + Convert.ToUInt64(key.KeyId, 16).ToString("x");
        foreach (var search in new[] { "0x" + key.Fingerprint, "0x" + key.KeyId.ToUpperInvariant(), keyIdWithoutZeros, "0x" + key.KeyId[^8..] })
        {
            var get = await LookupAsync($"exact=on&op=get&search={search}");
            get.Status.ShouldBe(HttpStatusCode.OK, search);
            get.Type.ShouldBe("application/pgp-keys");
            GpgKey.FingerprintsOf(get.Body).ShouldBe([key.Fingerprint], search);
        }
    }

    [Fact]
    public async Task An_ed25519_key_is_indexed_with_its_algorithm_and_size_and_found_by_a_subkey_id()
    {
        using var key = new GpgKey("Ed Curve <ed@example.org>", "ed25519");
        var (_, token) = await factory.CreateUserAsync("keyed");
        (await AddAsync(factory.Client(token), key.Armored)).Status.ShouldBe(HttpStatusCode.OK);
        var subkeyId = KeyParser.Parse(key.Armored).Value!.Single().SubkeyIds.Trim();

        var index = await LookupAsync("op=index&options=mr&search=ed%20curve");
        var bySubkey = await LookupAsync($"op=get&search=0x{subkeyId}");

        index.Body.ShouldBe($"info:1:1\npub:{key.Fingerprint}:22:256:{key.CreatedUnix}::\nuid:Ed Curve <ed@example.org>:{key.CreatedUnix}::\n");
        subkeyId.Length.ShouldBe(16);
        GpgKey.FingerprintsOf(bySubkey.Body).ShouldBe([key.Fingerprint]);
    }

    [Fact]
    public async Task A_key_id_sent_without_its_leading_zeros_is_left_padded_before_matching()
    {
        using var key = new GpgKey("Zero Lead <zero@example.org>");
        var parsed = KeyParser.Parse(key.Armored).Value!.Single();
        // gpg cannot be asked for a key id starting with zeros: store the real ring under one.
        parsed.Fingerprint = "0000000000000000000000000000000000abcdef";
        parsed.KeyId = "000000000000abcdef"[^16..];
        await using (var db = factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContext())
        {
            db.PublicKeys.Add(parsed);
            await db.SaveChangesAsync();
        }

        var index = await LookupAsync("op=index&options=mr&search=0xabcdef");

        index.Status.ShouldBe(HttpStatusCode.OK);
        index.Body.ShouldStartWith($"info:1:1\npub:0000000000000000000000000000000000abcdef:1:3072:{key.CreatedUnix}::\nuid:Zero Lead <zero@example.org>:");
    }

    [Fact]
    public async Task Garbage_a_missing_token_a_read_token_and_unknown_keys_are_refused_with_the_envelope()
    {
        using var key = new GpgKey("Bob Example <bob@example.org>");
        var (user, token) = await factory.CreateUserAsync("keybob");
        var client = factory.Client(token);
        var broken = key.Armored.Replace(key.Armored.Split('\n')[3], "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

        var garbage = await AddAsync(client, "hello, not a key");
        var corrupt = await AddAsync(client, broken);
        var anonymous = await AddAsync(factory.Client(), key.Armored);
        var readOnly = await AddAsync(factory.Client(await factory.CreateTokenAsync(user, TokenScope.Read)), key.Armored);
        var unknown = await LookupAsync("exact=on&op=get&search=0x" + key.Fingerprint);
        var badOp = await LookupAsync("op=vindex&search=bob");
        var huge = await AddAsync(client, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n" + new string('A', 1_100_000));
        var tooBig = await AddOversizedAsync(token, 3_200_000); // refused before the form is read

        garbage.Status.ShouldBe(HttpStatusCode.BadRequest);
        ErrorOf(garbage.Body).ShouldBe("keytext is not an ASCII-armored OpenPGP public key block (-----BEGIN PGP PUBLIC KEY BLOCK-----)");
        corrupt.Status.ShouldBe(HttpStatusCode.BadRequest);
        ErrorOf(corrupt.Body).ShouldStartWith("keytext is not a valid OpenPGP public key block");
        anonymous.Status.ShouldBe(HttpStatusCode.Unauthorized);
        ErrorOf(anonymous.Body).ShouldBe("a token is required: create one at /auth/tokens");
        readOnly.Status.ShouldBe(HttpStatusCode.Forbidden);
        unknown.Status.ShouldBe(HttpStatusCode.NotFound);
        ErrorOf(unknown.Body).ShouldBe($"no key matches '0x{key.Fingerprint}'");
        badOp.Status.ShouldBe(HttpStatusCode.BadRequest);
        ErrorOf(badOp.Body).ShouldBe("op 'vindex' is not supported: use get or index");
        huge.Status.ShouldBe(HttpStatusCode.BadRequest);
        ErrorOf(huge.Body).ShouldBe("keytext is larger than 1 MiB");
        tooBig.Status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        ErrorOf(tooBig.Body).ShouldBe("the key block is larger than 1 MiB");
        await using var db = factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContext();
        (await db.PublicKeys.CountAsync(k => k.Fingerprint == key.Fingerprint)).ShouldBe(0);
    }

    [Fact]
    // An admin acts as one only with an admin-scoped token (a write token is an ordinary user).
    public async Task Only_the_uploader_or_an_admin_changes_a_key()
    {
        using var key = new GpgKey("Carol Example <carol@example.org>");
        using var malloryKey = new GpgKey("Mallory <mallory@example.org>", "ed25519");
        var (carol, carolToken) = await factory.CreateUserAsync("keycarol");
        var (_, malloryToken) = await factory.CreateUserAsync("keymallory");
        var (_, adminToken) = await factory.CreateUserAsync("keyadmin", admin: true, scope: TokenScope.Admin);

        var first = await AddAsync(factory.Client(carolToken), key.Armored);
        var same = await AddAsync(factory.Client(malloryToken), key.Armored);
        var other = await AddAsync(factory.Client(malloryToken), KeyForgery.WithUidOf(key.Armored, malloryKey.Armored));
        var again = await AddAsync(factory.Client(carolToken), key.Armored);
        var admin = await AddAsync(factory.Client(adminToken), key.Armored);

        first.Status.ShouldBe(HttpStatusCode.OK);
        same.Body.ShouldBe($"unchanged key {key.Fingerprint.ToUpperInvariant()}\n"); // adds nothing: no one's to refuse
        other.Status.ShouldBe(HttpStatusCode.Forbidden); // adds a user id signed by Mallory's key
        ErrorOf(other.Body).ShouldBe($"key {key.Fingerprint} was uploaded by another user: only they or an admin can add what the key did not sign itself (what it signed counts from anyone: its revocation, user ids, subkeys, new expiry)");
        again.Status.ShouldBe(HttpStatusCode.OK);
        again.Body.ShouldBe($"unchanged key {key.Fingerprint.ToUpperInvariant()}\n");
        admin.Status.ShouldBe(HttpStatusCode.OK);
        await using var db = factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContext();
        (await db.PublicKeys.SingleAsync(k => k.Fingerprint == key.Fingerprint)).UploaderId.ShouldBe(carol.Id);
    }
}
