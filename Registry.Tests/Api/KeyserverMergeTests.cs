using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Keys;

namespace Registry.Tests.Api;

/// <summary>Re-uploads merge into the stored key as keyservers do; revocation certificates come from anyone; deletion is not HKP.</summary>
public class KeyserverMergeTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    internal static async Task<(HttpStatusCode Status, string Body)> AddAsync(HttpClient client, string keyText)
    {
        using var response = await client.PostAsync("/pks/add", new FormUrlEncodedContent([new("keytext", keyText)]));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<(HttpStatusCode Status, string Body)> LookupAsync(string query)
    {
        using var response = await factory.Client().GetAsync("/pks/lookup?" + query);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_re_upload_adds_new_user_ids_and_subkeys_and_an_older_copy_takes_nothing_away()
    {
        using var key = new GpgKey("Mia Merge <mia@example.org>", "ed25519");
        var (_, token) = await factory.CreateUserAsync("keymia");
        var old = key.Armored;
        key.AddUid("Mia at Work <mia@work.example>");
        var grown = key.AddSigningSubkey();

        var first = await AddAsync(factory.Client(token), old);
        var merged = await AddAsync(factory.Client(token), grown);
        var older = await AddAsync(factory.Client(token), old);
        var index = await LookupAsync($"op=index&options=mr&search=0x{key.Fingerprint}");
        var get = await LookupAsync($"op=get&search=0x{key.Fingerprint}");

        var fp = key.Fingerprint.ToUpperInvariant();
        (first.Body, merged.Body, older.Body).ShouldBe(($"added key {fp}\n", $"merged key {fp}\n", $"unchanged key {fp}\n"));
        index.Body.ShouldBe($"info:1:1\npub:{key.Fingerprint}:22:256:{key.CreatedUnix}::\n"
            + $"uid:Mia Merge <mia@example.org>:{key.CreatedUnix}::\nuid:Mia at Work <mia@work.example>:{key.CreatedUnix}::\n");
        GpgKey.UidsOf(get.Body).ShouldBe(["Mia Merge <mia@example.org>", "Mia at Work <mia@work.example>"], ignoreOrder: true);
        var subkeys = KeyParser.Parse(get.Body).Value!.Single().SubkeyIds.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        subkeys.Length.ShouldBe(2); // the cv25519 encryption subkey and the new signing one
        foreach (var subkey in subkeys)
            GpgKey.FingerprintsOf((await LookupAsync($"op=get&search=0x{subkey}")).Body).ShouldBe([key.Fingerprint]);
    }

    [Fact]
    // Only the holder of the private key can make a revocation certificate or a self-signature, so they count whoever sends them.
    public async Task Anyone_may_send_a_keys_revocation_which_flags_it_r_and_its_self_signed_user_ids_come_along()
    {
        using var key = new GpgKey("Rex Revoke <rex@example.org>", "ed25519");
        var (_, rexToken) = await factory.CreateUserAsync("keyrex");
        var (_, strangerToken) = await factory.CreateUserAsync("keystranger");
        var original = key.Armored;
        key.AddUid("Rex Elsewhere <rex@elsewhere.example>");
        var revoked = key.Revoke();

        (await AddAsync(factory.Client(rexToken), original)).Status.ShouldBe(HttpStatusCode.OK);
        var byStranger = await AddAsync(factory.Client(strangerToken), revoked);
        var again = await AddAsync(factory.Client(strangerToken), revoked);
        var index = await LookupAsync("op=index&options=mr&search=rex%40example.org");
        var get = await LookupAsync($"op=get&search=0x{key.Fingerprint}");

        byStranger.Status.ShouldBe(HttpStatusCode.OK);
        byStranger.Body.ShouldBe($"revoked key {key.Fingerprint.ToUpperInvariant()}\n");
        index.Body.ShouldBe($"info:1:1\npub:{key.Fingerprint}:22:256:{key.CreatedUnix}::r\nuid:Rex Revoke <rex@example.org>:{key.CreatedUnix}::r\n"
            + $"uid:Rex Elsewhere <rex@elsewhere.example>:{key.CreatedUnix}::r\n");
        GpgKey.ValiditiesOf(get.Body).ShouldBe(["r"]);
        GpgKey.UidsOf(get.Body).ShouldBe(["Rex Revoke <rex@example.org>", "Rex Elsewhere <rex@elsewhere.example>"], ignoreOrder: true);
        // Already revoked: the same copy again adds nothing.
        again.Body.ShouldBe($"unchanged key {key.Fingerprint.ToUpperInvariant()}\n");
    }

    [Fact]
    public async Task The_keys_owner_adds_to_a_copy_a_stranger_uploaded_first_and_nobody_else_adds_a_foreign_user_id()
    {
        using var key = new GpgKey("Olga Owner <olga@example.org>", "ed25519");
        using var other = new GpgKey("Sam Stranger <sam@example.org>", "ed25519");
        var (_, olgaToken) = await factory.CreateUserAsync("keyolga");
        var (_, samToken) = await factory.CreateUserAsync("keysam");
        var (_, tomToken) = await factory.CreateUserAsync("keytom");
        var original = key.Armored;
        key.AddUid("Olga at Home <olga@home.example>");
        var grown = key.AddSigningSubkey();
        var forged = KeyForgery.WithUidOf(grown, other.Armored);

        var bySam = await AddAsync(factory.Client(samToken), original);
        var byOlga = await AddAsync(factory.Client(olgaToken), grown);
        var byTom = await AddAsync(factory.Client(tomToken), forged);
        var index = await LookupAsync($"op=index&options=mr&search=0x{key.Fingerprint}");
        var get = await LookupAsync($"op=get&search=0x{key.Fingerprint}");

        var fp = key.Fingerprint.ToUpperInvariant();
        (bySam.Body, byOlga.Body).ShouldBe(($"added key {fp}\n", $"merged key {fp}\n"));
        byTom.Status.ShouldBe(HttpStatusCode.Forbidden); // the foreign user id is signed by Sam's key, not Olga's
        index.Body.ShouldBe($"info:1:1\npub:{key.Fingerprint}:22:256:{key.CreatedUnix}::\n"
            + $"uid:Olga Owner <olga@example.org>:{key.CreatedUnix}::\nuid:Olga at Home <olga@home.example>:{key.CreatedUnix}::\n");
        get.Body.ShouldNotContain(other.Armored[^40..]);
        GpgKey.UidsOf(get.Body).ShouldBe(["Olga Owner <olga@example.org>", "Olga at Home <olga@home.example>"], ignoreOrder: true);
        KeyParser.Parse(get.Body).Value!.Single().SubkeyIds.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2);
        (await LookupAsync("op=index&options=mr&search=sam%40example.org")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    // Extending a key's life and retiring a subkey are the updates owners send most: both are signatures by the key itself.
    public async Task The_keys_owner_sends_a_new_expiry_and_a_subkey_revocation_to_a_copy_a_stranger_uploaded_first()
    {
        using var key = new GpgKey("Ezra Expiry <ezra@example.org>", "ed25519");
        var (_, ezraToken) = await factory.CreateUserAsync("keyezra");
        var (_, strangerToken) = await factory.CreateUserAsync("keyezrastranger");
        var original = key.Armored;
        key.SetExpiry("2y");
        var updated = key.RevokeFirstSubkey();

        var byStranger = await AddAsync(factory.Client(strangerToken), original);
        var byEzra = await AddAsync(factory.Client(ezraToken), updated);
        var again = await AddAsync(factory.Client(ezraToken), updated);
        var older = await AddAsync(factory.Client(ezraToken), original);
        var index = await LookupAsync($"op=index&options=mr&search=0x{key.Fingerprint}");
        var get = await LookupAsync($"op=get&search=0x{key.Fingerprint}");

        var fp = key.Fingerprint.ToUpperInvariant();
        (byStranger.Body, byEzra.Body, again.Body, older.Body)
            .ShouldBe(($"added key {fp}\n", $"merged key {fp}\n", $"unchanged key {fp}\n", $"unchanged key {fp}\n"));
        var expires = GpgKey.ExpiryOf(updated);
        expires.ShouldNotBeEmpty();
        GpgKey.ExpiryOf(get.Body).ShouldBe(expires);
        index.Body.ShouldBe($"info:1:1\npub:{key.Fingerprint}:22:256:{key.CreatedUnix}:{expires}:\n"
            + $"uid:Ezra Expiry <ezra@example.org>:{key.CreatedUnix}:{expires}:\n");
        GpgKey.SubkeyValiditiesOf(get.Body).ShouldBe(["r"]);
        GpgKey.SubkeyValiditiesOf(original).ShouldBe(["-"]);
    }

    [Fact]
    public async Task A_stranger_cannot_revoke_a_key_with_a_revocation_signed_by_another_key()
    {
        using var victim = new GpgKey("Vic Victim <vic@example.org>", "ed25519");
        using var forger = new GpgKey("Fo Forger <fo@example.org>", "ed25519");
        var (_, vicToken) = await factory.CreateUserAsync("keyvic");
        var (_, foToken) = await factory.CreateUserAsync("keyfo");
        (await AddAsync(factory.Client(vicToken), victim.Armored)).Status.ShouldBe(HttpStatusCode.OK);
        var forged = KeyForgery.WithRevocationOf(victim.Armored, forger.Revoke());

        var sent = await AddAsync(factory.Client(foToken), forged);
        var index = await LookupAsync("op=index&options=mr&search=vic%40example.org");

        KeyForgery.HasRevocationPacket(forged).ShouldBeTrue();
        sent.Status.ShouldBe(HttpStatusCode.Forbidden);
        index.Body.ShouldBe($"info:1:1\npub:{victim.Fingerprint}:22:256:{victim.CreatedUnix}::\nuid:Vic Victim <vic@example.org>:{victim.CreatedUnix}::\n");
    }

    [Fact]
    public async Task Http_cannot_delete_a_key_a_stranger_cannot_either_and_its_uploader_can()
    {
        using var key = new GpgKey("Del Ete <del@example.org>", "ed25519");
        var (del, token) = await factory.CreateUserAsync("keydel");
        var (stranger, _) = await factory.CreateUserAsync("keydelstranger");
        (await AddAsync(factory.Client(token), key.Armored)).Status.ShouldBe(HttpStatusCode.OK);
        var keys = factory.Services.GetRequiredService<KeyService>();

        using var httpDelete = await factory.Client(token).DeleteAsync($"/pks/lookup?op=get&search=0x{key.Fingerprint}");
        var byStranger = await keys.DeleteAsync(Actor.ForUser(stranger.Id, stranger.UserName!, false), key.Fingerprint);
        var stillThere = await LookupAsync($"op=get&search=0x{key.Fingerprint}");
        var byUploader = await keys.DeleteAsync(Actor.ForUser(del.Id, del.UserName!, false), key.Fingerprint.ToUpperInvariant());
        var gone = await LookupAsync($"op=get&search=0x{key.Fingerprint}");

        // HKP has no delete: the route does not exist for DELETE.
        httpDelete.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await httpDelete.Content.ReadAsStringAsync()).ShouldBe("""{"error":{"code":404,"message":"DELETE /pks/lookup is not part of this API"}}""");
        byStranger.Outcome.ShouldBe(Registry.Core.Outcome.NotFound);
        byStranger.Message.ShouldBe($"no key {key.Fingerprint} of yours");
        GpgKey.FingerprintsOf(stillThere.Body).ShouldBe([key.Fingerprint]);
        byUploader.Succeeded.ShouldBeTrue();
        gone.Status.ShouldBe(HttpStatusCode.NotFound);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        (await db.AuditEvents.CountAsync(e => e.Action == "key.delete" && e.Target == "key " + key.Fingerprint)).ShouldBe(1);
    }
}
