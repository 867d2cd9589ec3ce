using Registry.Core.Signatures;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Signatures;

/// <summary>
/// Legacy signatures (Singularity before 3.6: a clear-signed "SIFHASH" digest linked to one object or to a group), made by
/// the Go driver as Singularity made them and also taken from the sif library's own corpus (files old Singularity signed),
/// verified natively and checked against the sif library's legacy verifier (<c>apptainer verify --legacy-insecure</c>).
/// </summary>
public sealed class LegacySignatureTests : IDisposable
{
    private const string Corpus = "/usr/share/gocode/src/github.com/sylabs/sif/test";
    private readonly SignedSifs sifs = new();
    private readonly GpgKey alice = new("Alice Example <alice@lab.example>");

    [Theory]
    [InlineData("object", new uint[] { 3 })]    // the primary partition (object 2) only: what Singularity signed by default
    [InlineData("all", new uint[] { 3, 4 })]    // each object of the group on its own
    [InlineData("group", new uint[] { 3 })]     // the group's objects, concatenated
    public async Task A_legacy_signature_by_a_known_key_is_verified_and_the_sif_library_agrees(string mode, uint[] ids)
    {
        var sif = await sifs.CreateAsync();
        await SifSign.SignLegacyAsync(alice, sif, mode);

        var verdicts = await SignedSifs.VerifyAsync(sif, SignedSifs.Keyserver(SignedSifs.Stored(alice.Armored)));

        verdicts.ShouldBe(ids.Select(id => new SignatureVerdict(id, SignatureStatus.Verified, alice.Fingerprint,
            "legacy signature (Singularity before 3.6): it covers the signed objects' bytes, not the SIF header or descriptors",
            "Alice Example <alice@lab.example>", "alice")).ToList());
        (await SifSign.VerifyLegacyAsync(sif, mode, alice.Armored)).ShouldBe(ids.Select(id => $"{id} {alice.Fingerprint} ok").ToList());
    }

    [Theory]
    [InlineData("object", 40_000, "object 2 was changed after signing")]
    [InlineData("group", 40_000, "object group 1 was changed after signing")]
    [InlineData("group", 32_180, "object group 1 was changed after signing")] // the labels: covered by a group signature
    public async Task A_byte_flipped_after_legacy_signing_is_invalid_and_the_sif_library_agrees(string mode, long offset, string detail)
    {
        var sif = await sifs.CreateAsync();
        await SifSign.SignLegacyAsync(alice, sif, mode);
        await using (var file = File.Open(sif, FileMode.Open))
        {
            file.Position = offset;
            var b = (byte)file.ReadByte();
            file.Position = offset;
            file.WriteByte((byte)(b ^ 0x01));
        }

        var verdict = (await SignedSifs.VerifyAsync(sif, SignedSifs.Keyserver(SignedSifs.Stored(alice.Armored)))).ShouldHaveSingleItem();

        (verdict.Status, verdict.Detail).ShouldBe((SignatureStatus.Invalid, detail));
        (await SifSign.VerifyLegacyAsync(sif, mode, alice.Armored)).ShouldHaveSingleItem().ShouldContain("data object integrity compromised");
    }

    [Fact]
    public async Task A_legacy_signature_by_a_key_the_keyserver_lacks_is_unknown()
    {
        var sif = await sifs.CreateAsync();
        await SifSign.SignLegacyAsync(alice, sif, "object");
        using var other = new GpgKey("Other <other@lab.example>");
        var unknown = (await SignedSifs.VerifyAsync(sif, SignedSifs.Keyserver(SignedSifs.Stored(other.Armored)))).ShouldHaveSingleItem();
        (unknown.Status, unknown.Fingerprint).ShouldBe((SignatureStatus.UnknownKey, alice.Fingerprint));
        (await SifSign.VerifyLegacyAsync(sif, "object", other.Armored)).ShouldHaveSingleItem().ShouldNotEndWith(" ok");
    }

    [Theory]
    [InlineData("one-group-signed-legacy", "object", new uint[] { 3 })]
    [InlineData("one-group-signed-legacy-all", "all", new uint[] { 3, 4 })]
    [InlineData("one-group-signed-legacy-group", "group", new uint[] { 3 })]
    public async Task Files_old_Singularity_signed_from_the_sif_librarys_corpus_are_verified_as_the_sif_library_does(string name, string mode, uint[] ids)
    {
        var key = await CorpusKeyAsync();
        var sif = Path.Combine(sifs.Directory, name + ".sif");
        File.Copy(Path.Combine(Corpus, "images", name + ".sif"), sif);
        var fingerprint = Registry.Core.Keys.KeyParser.Parse(key).Value!.Single().Fingerprint;

        var verdicts = await SignedSifs.VerifyAsync(sif, SignedSifs.Keyserver(SignedSifs.Stored(key)));

        verdicts.Select(v => (v.ObjectId, v.Status, v.Fingerprint)).ShouldBe(ids.Select(id => (id, SignatureStatus.Verified, (string?)fingerprint)).ToList());
        (await SifSign.VerifyLegacyAsync(sif, mode, key)).ShouldBe(ids.Select(id => $"{id} {fingerprint} ok").ToList());
    }

    /// <summary>The public half of the corpus's test key (test/keys/private.asc), exported by gpg.</summary>
    private async Task<string> CorpusKeyAsync()
    {
        var home = Directory.CreateTempSubdirectory("corpus-gnupg-").FullName; // mode 700, as gpg wants
        try
        {
            (await ProcessRunner.RunAsync("gpg", ["--homedir", home, "--batch", "--import", Path.Combine(Corpus, "keys", "private.asc")])).ExitCode.ShouldBe(0);
            var export = await ProcessRunner.RunAsync("gpg", ["--homedir", home, "--batch", "--armor", "--export"]);
            export.ExitCode.ShouldBe(0);
            return export.Stdout;
        }
        finally
        {
            await ProcessRunner.RunAsync("gpgconf", ["--homedir", home, "--kill", "gpg-agent"]);
            Directory.Delete(home, recursive: true);
        }
    }

    public void Dispose()
    {
        alice.Dispose();
        sifs.Dispose();
    }
}
