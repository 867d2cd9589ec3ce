using System.Net;
using Registry.Core.Keys;

namespace Registry.Tests.Api;

/// <summary>Squatting: the key's holder (a verified e-mail in its self-signed user id) takes over and prunes a copy a stranger uploaded; certifications are capped.</summary>
public sealed class KeyserverOwnershipTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private static Task<(HttpStatusCode Status, string Body)> AddAsync(HttpClient client, string keyText) => KeyserverMergeTests.AddAsync(client, keyText);

    private async Task<string> GetAsync(string fingerprint)
    {
        using var response = await factory.Client().GetAsync($"/pks/lookup?op=get&search=0x{fingerprint}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
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
        KeyForgery.ThirdPartyCertifiersOf(stored).ShouldBe(sent.Take(KeyParser.MaxCertificationsPerUid));
        GpgKey.UidsOf(stored).ShouldBe(["Flo Flood <flo@example.org>"]); // the self-signature stays
    }
}
