using Registry.Core.Signatures;
using Registry.Tests.Api;

namespace Registry.Tests.Signatures;

/// <summary>The native verifier on SIFs signed by the sif library itself, checked against the sif library's own verifier.</summary>
public sealed class SignatureVerifierTests : IDisposable
{
    private readonly SignedSifs sifs = new();
    private readonly GpgKey alice = new("Alice Example <alice@lab.example>");

    [Fact]
    public async Task A_signature_by_a_known_key_is_verified_with_its_user_id_and_uploader_and_go_agrees()
    {
        var sif = await sifs.CreateSignedAsync(alice);

        var verdict = (await SignedSifs.VerifyAsync(sif, SignedSifs.Keyserver(SignedSifs.Stored(alice.Armored)))).ShouldHaveSingleItem();

        verdict.ShouldBe(new SignatureVerdict(3, SignatureStatus.Verified, alice.Fingerprint, "", "Alice Example <alice@lab.example>", "alice"));
        (await SifSign.VerifyAsync(sif, alice.Armored)).ShouldBe([$"3 {alice.Fingerprint} ok"]);
    }

    [Fact]
    public async Task A_signature_by_a_key_the_keyserver_lacks_is_unknown_and_go_cannot_verify_it_either()
    {
        var sif = await sifs.CreateSignedAsync(alice);
        using var other = new GpgKey("Other <other@lab.example>");

        var verdict = (await SignedSifs.VerifyAsync(sif, SignedSifs.Keyserver(SignedSifs.Stored(other.Armored)))).ShouldHaveSingleItem();

        verdict.Status.ShouldBe(SignatureStatus.UnknownKey);
        verdict.Fingerprint.ShouldBe(alice.Fingerprint);
        (await SifSign.VerifyAsync(sif, other.Armored)).ShouldHaveSingleItem().ShouldNotEndWith(" ok");
    }

    [Theory]
    [InlineData(40_000, "object 2 was changed after signing")]   // inside the partition
    [InlineData(32_180, "object 1 was changed after signing")]  // inside the labels
    [InlineData(50, "the SIF header was changed after signing")] // in the header's image id
    public async Task One_byte_flipped_after_signing_is_invalid_with_what_failed_and_go_agrees(long offsetFromStart, string detail)
    {
        var sif = await sifs.CreateSignedAsync(alice);
        await using (var file = File.Open(sif, FileMode.Open))
        {
            file.Position = offsetFromStart;
            var b = (byte)file.ReadByte();
            file.Position = offsetFromStart;
            file.WriteByte((byte)(b ^ 0x01));
        }

        var verdict = (await SignedSifs.VerifyAsync(sif, SignedSifs.Keyserver(SignedSifs.Stored(alice.Armored)))).ShouldHaveSingleItem();

        verdict.Status.ShouldBe(SignatureStatus.Invalid);
        verdict.Detail.ShouldBe(detail);
        var go = (await SifSign.VerifyAsync(sif, alice.Armored)).ShouldHaveSingleItem();
        go.ShouldContain("integrity compromised");
    }

    [Fact]
    public async Task A_signature_by_a_revoked_key_is_revoked_and_go_refuses_it()
    {
        var sif = await sifs.CreateSignedAsync(alice);
        var revoked = alice.Revoke();

        var verdict = (await SignedSifs.VerifyAsync(sif, SignedSifs.Keyserver(SignedSifs.Stored(revoked)))).ShouldHaveSingleItem();

        verdict.Status.ShouldBe(SignatureStatus.Revoked);
        verdict.Detail.ShouldBe("the key was revoked");
        (await SifSign.VerifyAsync(sif, revoked)).ShouldHaveSingleItem().ShouldNotEndWith(" ok");
    }

    [Fact]
    public async Task Two_signers_get_a_verdict_each_and_go_agrees()
    {
        using var bob = new GpgKey("Bob Builder <bob@lab.example>", "ed25519");
        var sif = await sifs.CreateSignedAsync(alice, bob);

        var verdicts = await SignedSifs.VerifyAsync(sif, SignedSifs.Keyserver(SignedSifs.Stored(alice.Armored), SignedSifs.Stored(bob.Armored, "bob")));

        verdicts.Select(v => (v.ObjectId, v.Status, v.Fingerprint, v.KeyUploader)).ShouldBe(
            [(3u, SignatureStatus.Verified, alice.Fingerprint, "alice"), (4u, SignatureStatus.Verified, bob.Fingerprint, "bob")]);
        (await SifSign.VerifyAsync(sif, alice.Armored, bob.Armored)).ShouldBe([$"3 {alice.Fingerprint} ok", $"4 {bob.Fingerprint} ok"]);
        // Only one of them known: one verified, one unknown.
        (await SignedSifs.VerifyAsync(sif, SignedSifs.Keyserver(SignedSifs.Stored(bob.Armored, "bob")))).Select(v => v.Status)
            .ShouldBe([SignatureStatus.UnknownKey, SignatureStatus.Verified]);
    }

    [Fact]
    public async Task An_unsigned_sif_has_no_verdicts_and_an_expired_key_is_expired()
    {
        (await SignedSifs.VerifyAsync(await sifs.CreateAsync(), SignedSifs.Keyserver())).ShouldBeEmpty();

        var sif = await sifs.CreateSignedAsync(alice);
        var stored = SignedSifs.Stored(alice.Armored) with { ExpiresAt = DateTime.UtcNow.AddDays(-1) };
        (await SignedSifs.VerifyAsync(sif, SignedSifs.Keyserver(stored))).ShouldHaveSingleItem().Status.ShouldBe(SignatureStatus.Expired);
    }

    public void Dispose()
    {
        alice.Dispose();
        sifs.Dispose();
    }
}
