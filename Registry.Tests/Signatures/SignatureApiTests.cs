using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Data;
using Registry.Core.Signatures;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Signatures;

/// <summary>Signed images pushed through the Library API: verdicts in the API JSON and search, kept current as keys change.</summary>
public sealed class SignatureApiTests : IDisposable
{
    private readonly RegistryApiFactory factory = RegistryApiFactory.With(new() { DataPath = Directory.CreateTempSubdirectory("registry-signatures-").FullName });
    private readonly SignedSifs sifs = new();
    private readonly GpgKey alice = new("Alice Example <alice@lab.example>");

    private async Task<HttpStatusCode> PushKeyAsync(string token, string armored)
    {
        using var response = await factory.Client(token).PostAsync("/pks/add", new FormUrlEncodedContent([new("keytext", armored)]));
        return response.StatusCode;
    }

    /// <summary>The image JSON once its signatures are verified (in the background after a push into an open collection).</summary>
    private static Task<JsonNode> ImageAsync(LibraryClient client, string reference) => Verdicts.StoredAsync(client.Http, null, reference);

    /// <summary>Key changes are verified again in the background: waits (bounded) until the image says what is expected.</summary>
    private async Task<JsonNode> EventuallyAsync(LibraryClient client, string reference, bool signed)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var image = await ImageAsync(client, reference);
            if ((bool)image["signed"]! == signed || clock.Elapsed > TimeSpan.FromSeconds(30)) return image;
            await Task.Delay(100);
        }
    }

    private async Task<List<ImageSignature>> VerdictsAsync(string imageId)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        return await db.ImageSignatures.Where(s => s.ImageId == imageId).OrderBy(s => s.ObjectId).ToListAsync();
    }

    [Fact]
    public async Task Signed_with_a_pushed_key_is_signed_in_the_api_and_found_by_the_real_clients_signed_search()
    {
        var (_, token) = await factory.CreateUserAsync("alice");
        (await PushKeyAsync(token, alice.Armored)).ShouldBe(HttpStatusCode.OK);
        var client = new LibraryClient(factory.Client(token));
        var signedId = await client.PushAsync("alice", "tools", "signed", await File.ReadAllBytesAsync(await sifs.CreateSignedAsync(alice)), "v1");
        await client.PushAsync("alice", "tools", "plain", await File.ReadAllBytesAsync(await sifs.CreateAsync()), "v1");

        var image = await ImageAsync(client, "alice/tools/signed:v1");
        ((bool)image["signed"]!).ShouldBeTrue();
        image["fingerprints"]!.ToJsonString().ShouldBe($"""["{alice.Fingerprint}"]""");
        ((bool)(await ImageAsync(client, "alice/tools/plain:v1"))["signed"]!).ShouldBeFalse();
        var verdict = (await VerdictsAsync(signedId)).ShouldHaveSingleItem();
        (verdict.Status, verdict.KeyUserId, verdict.KeyUploader).ShouldBe((SignatureStatus.Verified, "Alice Example <alice@lab.example>", "alice"));

        // The shub manifest and sregistry-cli's listing say it too.
        var (_, shub) = await client.GetAsync("/api/container/tools/signed:v1");
        (((bool)shub!["signed"]!), shub["fingerprints"]!.ToJsonString()).ShouldBe((true, $"""["{alice.Fingerprint}"]"""));
        var (_, listed) = await client.GetAsync("/api/container/search/collection/tools/name/plain");
        listed!.ToJsonString().ShouldContain("\"signed\":false");
        (await client.GetAsync("/api/container/search/collection/tools/name/signed")).Item2!.ToJsonString().ShouldContain($"\"signed\":true,\"fingerprints\":[\"{alice.Fingerprint}\"]");

        var search = await GoDriver.RunAgainstAsync(factory.BaseAddress.ToString().TrimEnd('/'), null, ["search", "-signed", "tools"]);
        search.ExitCode.ShouldBe(0, search.ToString());
        search.Stdout.Trim().ShouldBe($"library://alice/tools/signed:v1 {alice.Fingerprint}");
    }

    [Fact]
    public async Task Signed_with_an_unknown_key_becomes_verified_when_the_key_is_pushed_and_revoked_when_it_is_revoked()
    {
        var (_, token) = await factory.CreateUserAsync("alice");
        var client = new LibraryClient(factory.Client(token));
        var id = await client.PushAsync("alice", "tools", "later", await File.ReadAllBytesAsync(await sifs.CreateSignedAsync(alice)), "v1");
        ((bool)(await ImageAsync(client, "alice/tools/later:v1"))["signed"]!).ShouldBeFalse();
        (await VerdictsAsync(id)).ShouldHaveSingleItem().Status.ShouldBe(SignatureStatus.UnknownKey);

        (await PushKeyAsync(token, alice.Armored)).ShouldBe(HttpStatusCode.OK);
        var image = await EventuallyAsync(client, "alice/tools/later:v1", signed: true);
        ((bool)image["signed"]!).ShouldBeTrue();
        image["fingerprints"]!.ToJsonString().ShouldBe($"""["{alice.Fingerprint}"]""");

        (await PushKeyAsync(token, alice.Revoke())).ShouldBe(HttpStatusCode.OK);
        ((bool)(await EventuallyAsync(client, "alice/tools/later:v1", signed: false))["signed"]!).ShouldBeFalse();
        var revoked = (await VerdictsAsync(id)).ShouldHaveSingleItem();
        (revoked.Status, revoked.Detail).ShouldBe((SignatureStatus.Revoked, "the key was revoked"));
    }

    [Fact]
    public async Task A_byte_flipped_after_signing_is_stored_invalid_and_not_signed()
    {
        var (_, token) = await factory.CreateUserAsync("alice");
        (await PushKeyAsync(token, alice.Armored)).ShouldBe(HttpStatusCode.OK);
        var bytes = await File.ReadAllBytesAsync(await sifs.CreateSignedAsync(alice));
        bytes[40_000] ^= 0x80;
        var client = new LibraryClient(factory.Client(token));
        var id = await client.PushAsync("alice", "tools", "tampered", bytes, "v1");

        ((bool)(await ImageAsync(client, "alice/tools/tampered:v1"))["signed"]!).ShouldBeFalse();
        var verdict = (await VerdictsAsync(id)).ShouldHaveSingleItem();
        (verdict.Status, verdict.Detail, verdict.Fingerprint).ShouldBe((SignatureStatus.Invalid, "object 2 was changed after signing", alice.Fingerprint));
        (await client.GetAsync("/v1/search?signed=true&value=tools")).Body!["data"]!["image"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task Deleting_the_key_on_the_keys_page_makes_its_images_unknown_again_and_two_signers_keep_the_other()
    {
        var (user, token) = await factory.CreateUserAsync("alice");
        using var bob = new GpgKey("Bob Builder <bob@lab.example>", "ed25519");
        (await PushKeyAsync(token, alice.Armored)).ShouldBe(HttpStatusCode.OK);
        (await PushKeyAsync(token, bob.Armored)).ShouldBe(HttpStatusCode.OK);
        var client = new LibraryClient(factory.Client(token));
        var both = await client.PushAsync("alice", "tools", "both", await File.ReadAllBytesAsync(await sifs.CreateSignedAsync(alice, bob)), "v1");
        var only = await client.PushAsync("alice", "tools", "only", await File.ReadAllBytesAsync(await sifs.CreateSignedAsync(alice)), "v1");
        (await ImageAsync(client, "alice/tools/both:v1"))["fingerprints"]!.AsArray().Select(f => (string)f!).Order()
            .ShouldBe(new[] { alice.Fingerprint, bob.Fingerprint }.Order());

        var keys = factory.Services.GetRequiredService<Registry.Core.Keys.KeyService>();
        (await keys.DeleteAsync(Registry.Core.Access.Actor.ForUser(user.Id, "alice", false), alice.Fingerprint)).Succeeded.ShouldBeTrue();

        ((bool)(await EventuallyAsync(client, "alice/tools/only:v1", signed: false))["signed"]!).ShouldBeFalse();
        (await VerdictsAsync(only)).ShouldHaveSingleItem().Status.ShouldBe(SignatureStatus.UnknownKey);
        var still = await ImageAsync(client, "alice/tools/both:v1");
        ((bool)still["signed"]!).ShouldBeTrue();
        still["fingerprints"]!.ToJsonString().ShouldBe($"""["{bob.Fingerprint}"]""");
        (await VerdictsAsync(both)).Select(v => v.Status).ShouldBe([SignatureStatus.UnknownKey, SignatureStatus.Verified]);
    }

    public void Dispose()
    {
        factory.Dispose();
        alice.Dispose();
        sifs.Dispose();
    }
}
