using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Identity;
using Registry.Core.Keys;

namespace Registry.Tests.Api;

/// <summary>Squatting: the key's holder (a verified e-mail in its self-signed user id) takes over and prunes a copy a stranger uploaded; certifications are capped.</summary>
public class KeyserverOwnershipTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private static Task<(HttpStatusCode Status, string Body)> AddAsync(HttpClient client, string keyText) => KeyserverMergeTests.AddAsync(client, keyText);

    private async Task<string> GetAsync(string fingerprint)
    {
        using var response = await factory.Client().GetAsync($"/pks/lookup?op=get&search=0x{fingerprint}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>A user with an e-mail address, verified (as <c>admin user add --email</c> sets it) or only typed in.</summary>
    private async Task<(Actor Actor, string Token)> UserWithEmailAsync(string name, string email, bool verified)
    {
        var (user, token) = await factory.CreateUserAsync(name);
        await SetEmailAsync(user.Id, email, verified);
        return (Actor.ForUser(user.Id, name, false), token);
    }

    private async Task SetEmailAsync(string userId, string email, bool verified)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
        var stored = (await users.FindByIdAsync(userId))!;
        (stored.Email, stored.EmailConfirmed) = (email, verified);
        var updated = await users.UpdateAsync(stored);
        updated.Succeeded.ShouldBeTrue(string.Join("; ", updated.Errors.Select(e => e.Description)));
    }

    [Fact]
    public async Task The_holder_with_a_verified_email_claims_a_squatted_key_prunes_what_others_signed_and_may_delete_it()
    {
        using var key = new GpgKey("Hana Holder <hana@example.org>", "ed25519");
        using var squatterKey = new GpgKey("Sly Squatter <sly@example.org>", "ed25519");
        var (slyUser, slyToken) = await factory.CreateUserAsync("keysly");
        var sly = Actor.ForUser(slyUser.Id, "keysly", false);
        var (typist, typistToken) = await UserWithEmailAsync("keyhanatypist", "hana@example.org", verified: false);
        var keys = factory.Services.GetRequiredService<KeyService>();
        var certified = squatterKey.Certify(key.Armored);
        var fp = key.Fingerprint.ToUpperInvariant();

        var bySly = await AddAsync(factory.Client(slyToken), certified);
        var byTypist = await AddAsync(factory.Client(typistToken), key.Armored);
        var typistDelete = await keys.DeleteAsync(typist, key.Fingerprint);
        var squatted = await GetAsync(key.Fingerprint);
        // E-mails are unique: the typist's address moves on before the holder's verified one is set.
        await SetEmailAsync(typist.UserId!, "typist@example.org", verified: false);
        var (hana, hanaToken) = await UserWithEmailAsync("keyhana", "HANA@example.org", verified: true);
        var byHana = await AddAsync(factory.Client(hanaToken), key.Armored);
        var pruned = await GetAsync(key.Fingerprint);
        var slyAgain = await AddAsync(factory.Client(slyToken), certified);

        (bySly.Body, byTypist.Body).ShouldBe(($"added key {fp}\n", $"unchanged key {fp}\n")); // a typed-in address proves nothing
        typistDelete.Succeeded.ShouldBeFalse();
        KeyForgery.ThirdPartyCertifiersOf(squatted).ShouldBe([squatterKey.KeyId]);
        byHana.Body.ShouldBe($"claimed key {fp}\n");
        KeyForgery.ThirdPartyCertifiersOf(pruned).ShouldBeEmpty();
        GpgKey.UidsOf(pruned).ShouldBe(["Hana Holder <hana@example.org>"]);
        slyAgain.Status.ShouldBe(HttpStatusCode.Forbidden); // no longer its owner: cannot put the certification back
        KeyForgery.ThirdPartyCertifiersOf(await GetAsync(key.Fingerprint)).ShouldBeEmpty();
        (await keys.ListAsync(hana)).Select(k => k.Fingerprint).ShouldBe([key.Fingerprint]);
        (await keys.ListAsync(sly)).ShouldBeEmpty();
        (await keys.DeleteAsync(sly, key.Fingerprint)).Succeeded.ShouldBeFalse();
        (await keys.DeleteAsync(hana, key.Fingerprint)).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public async Task The_holder_may_delete_a_squatted_key_without_pushing_it_first()
    {
        using var key = new GpgKey("Dora Delete <dora@example.org>", "ed25519");
        var (_, slyToken) = await factory.CreateUserAsync("keyslydora");
        var (dora, _) = await UserWithEmailAsync("keydora", "dora@example.org", verified: true);
        (await AddAsync(factory.Client(slyToken), key.Armored)).Status.ShouldBe(HttpStatusCode.OK);
        var keys = factory.Services.GetRequiredService<KeyService>();

        (await keys.ListAsync(dora)).Select(k => k.Fingerprint).ShouldBe([key.Fingerprint]);
        (await keys.DeleteAsync(dora, key.Fingerprint)).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public async Task A_key_keeps_at_most_64_certifications_per_user_id_the_first_ones_and_its_self_signature()
    {
        using var key = new GpgKey("Flo Flood <flo@example.org>", "ed25519");
        var (_, token) = await factory.CreateUserAsync("keyflo");
        var flooded = KeyForgery.WithCertifications(key.Armored, 70);
        var sent = KeyForgery.ThirdPartyCertifiersOf(flooded);

        (await AddAsync(factory.Client(token), flooded)).Status.ShouldBe(HttpStatusCode.OK);
        var more = await AddAsync(factory.Client(token), KeyForgery.WithCertifications(key.Armored, 5));
        var stored = await GetAsync(key.Fingerprint);

        sent.Count.ShouldBe(70);
        more.Body.ShouldBe($"unchanged key {key.Fingerprint.ToUpperInvariant()}\n");
        KeyForgery.ThirdPartyCertifiersOf(stored).ShouldBe(sent.Take(Certifications.MaxCertificationsPerUid));
        GpgKey.UidsOf(stored).ShouldBe(["Flo Flood <flo@example.org>"]); // the self-signature stays
    }
}
