using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Registry.Core.Signatures;

/// <summary>
/// Verifies the signatures <c>apptainer sign</c> puts in a SIF (the sif library's pkg/integrity format): each signature
/// object, linked to an object group, holds a PGP clear-signed JSON of the digests of the SIF header and of the group's
/// descriptors and objects; its descriptor names the hash type and the signer's fingerprint. The PGP signature is checked
/// with BouncyCastle against the registry's keyserver, then the digests against the file, which is streamed (never
/// loaded). Every size read is bounded, and hostile bytes give an <see cref="SignatureStatus.Invalid"/> verdict, never an exception.
/// See: https://github.com/sylabs/sif pkg/integrity/verify.go.
/// </summary>
public static class SignatureVerifier
{
    /// <summary>Signature objects are a few KiB (one line of digests per object); larger ones are not read.</summary>
    public const int MaxSignatureBytes = 1 << 20;

    private static readonly HashAlgorithmTag[] Hashes = [HashAlgorithmTag.Sha224, HashAlgorithmTag.Sha256, HashAlgorithmTag.Sha384, HashAlgorithmTag.Sha512];

    /// <summary>One verdict per signature object of the seekable <paramref name="sif"/>; none when it is unsigned.</summary>
    public static async Task<List<SignatureVerdict>> VerifyAsync(Stream sif, KeyLookup keys, DateTime now, CancellationToken ct = default)
    {
        var read = SifLayout.Read(sif);
        if (!read.Succeeded)
        {
            // Unreadable as the sif library reads it: invalid when it holds a signature object, else simply unsigned.
            var loose = Images.SifReader.Read(sif);
            return loose is { Signed: true } ? [new(0, SignatureStatus.Invalid, null, $"the SIF descriptors cannot be read: {read.Message}")] : [];
        }
        var layout = read.Value!;
        var objects = layout.Objects;
        var signatures = objects.Where(o => o.IsSignature).ToList();
        if (signatures.Count == 0) return [];

        var digests = new ObjectDigests(sif);
        // Legacy signatures (Singularity before 3.6) answer for the image differently: see LegacySignature.
        var legacy = signatures.Where(s => IsLegacy(sif, layout, s)).ToHashSet();
        var problem = WholeImageProblem(objects, [.. signatures.Where(s => !legacy.Contains(s))]);
        var legacyProblem = legacy.Count > 0 ? LegacySignature.ImageProblem(layout, legacy) : null;
        var verdicts = new List<SignatureVerdict>();
        foreach (var signature in signatures)
        {
            SignatureVerdict verdict;
            var imageProblem = legacy.Contains(signature) ? legacyProblem : problem;
            try { verdict = await VerifyOneAsync(sif, layout, signature, legacy.Contains(signature), digests, keys, now, ct); }
            catch (Exception e) when (e is not (OperationCanceledException or IOException))
            {
                // A key or packet BouncyCastle cannot handle (an unsupported algorithm…): a verdict, never a failed push.
                verdict = new(signature.Id, SignatureStatus.Invalid, null, $"the signature cannot be checked: {e.Message}");
            }
            // As the sif library's Verify, a problem of the whole image fails every signature: part of it is signed by no one.
            if (imageProblem is not null && verdict.Status is SignatureStatus.Verified or SignatureStatus.Revoked or SignatureStatus.Expired)
                verdict = verdict with { Status = SignatureStatus.Invalid, Detail = imageProblem };
            verdicts.Add(verdict);
        }
        return verdicts;
    }

    private static string? WholeImageProblem(IReadOnlyList<SifObject> objects, List<SifObject> signatures)
    {
        if (objects.GroupBy(o => o.Id).FirstOrDefault(g => g.Count() > 1) is { } twice) return $"two objects have the id {twice.Key}";
        if (objects.FirstOrDefault(o => !o.IsSignature && o.GroupId == 0) is { } loose) return $"object {loose.Id} is in no object group, so no signature covers it";
        var groups = objects.Where(o => o.GroupId != 0).Select(o => o.GroupId).Distinct().Order().ToList();
        if (groups.Count == 0) return "the image has no object groups to sign";
        var unsigned = groups.Where(g => !signatures.Any(s => s.LinksGroup && s.LinkedId == g)).ToList();
        return unsigned.Count > 0 ? $"object group {unsigned[0]} is not signed" : null;
    }

    private static bool IsLegacy(Stream sif, SifLayout layout, SifObject sig) =>
        layout.Contains(sig) && sig.Size <= MaxSignatureBytes && ClearSigned.Parse(Read(sif, sig)) is { Succeeded: true } m && LegacySignature.Is(m.Value!);

    private static byte[] Read(Stream sif, SifObject o)
    {
        var bytes = new byte[o.Size];
        sif.Position = o.Offset;
        sif.ReadExactly(bytes);
        return bytes;
    }

    private static async Task<SignatureVerdict> VerifyOneAsync(Stream sif, SifLayout layout, SifObject sig, bool legacy, ObjectDigests digests, KeyLookup keys, DateTime now, CancellationToken ct)
    {
        var fingerprint = sig.Fingerprint.All(b => b == 0) ? null : Convert.ToHexStringLower(sig.Fingerprint);
        SignatureVerdict Fail(string detail, SignatureStatus status = SignatureStatus.Invalid) => new(sig.Id, status, fingerprint, detail);

        if (!legacy && !sig.LinksGroup) return Fail($"the signature is linked to object {sig.LinkedId}, not to an object group (only legacy signatures sign one object)");
        var group = legacy ? LegacySignature.Covered(layout, sig) : GroupOf(layout, sig.LinkedId);
        if (group.Count == 0)
            return Fail(sig.LinksGroup ? $"the signature covers object group {sig.LinkedId}, which the image does not have" : $"the signature covers object {sig.LinkedId}, which the image does not have");
        if (sig.HashType is < 1 or > 5) return Fail($"the signature descriptor names an unknown hash type ({sig.HashType})");
        if (!layout.Contains(sig)) return Fail("the signature object lies outside the file");
        if (sig.Size > MaxSignatureBytes) return Fail($"the signature object is {sig.Size} bytes (at most {MaxSignatureBytes} are read)");

        var parsed = ClearSigned.Parse(Read(sif, sig));
        if (!parsed.Succeeded) return Fail(parsed.Message!);
        var message = parsed.Value!;

        var keyId = message.Signature.KeyId;
        var key = await keys(fingerprint, unchecked((ulong)keyId), ct);
        if (key is null) return Fail(fingerprint is null ? $"key id {keyId:x16} is not in this registry's keyserver" : "the key is not in this registry's keyserver", SignatureStatus.UnknownKey);
        fingerprint ??= key.Fingerprint;
        PgpPublicKeyRing ring;
        try { ring = new PgpPublicKeyRing(PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.UTF8.GetBytes(key.Armored)))); }
        catch (Exception e) when (e is IOException or PgpException or ArgumentException or InvalidOperationException)
        {
            return Fail($"the stored key cannot be read: {e.Message}", SignatureStatus.UnknownKey);
        }
        if (Convert.ToHexStringLower(ring.GetPublicKey().GetFingerprint()) != key.Fingerprint)
            return Fail("the stored key does not have the fingerprint it is stored under", SignatureStatus.UnknownKey);
        var signer = ring.GetPublicKey(keyId);
        if (signer is null) return Fail($"made by key id {keyId:x16}, which is not part of the key the descriptor names");
        if (!Hashes.Contains(message.Signature.HashAlgorithm)) return Fail($"the PGP signature uses hash {message.Signature.HashAlgorithm}, which is not accepted");
        if (message.Signature.SignatureType is not (PgpSignature.BinaryDocument or PgpSignature.CanonicalTextDocument))
            return Fail("the PGP signature is not a document signature");
        bool good;
        try
        {
            message.Signature.InitVerify(signer);
            message.Signature.Update(message.Signed);
            good = message.Signature.Verify();
        }
        catch (Exception e) when (e is PgpException or ArgumentException or InvalidOperationException) { good = false; }
        if (!good) return Fail("the PGP signature does not match the signed digests");

        if (legacy)
        {
            if (LegacySignature.Mismatch(message, sig, group, layout, digests, ct) is { } changed) return Fail(changed);
        }
        else if (SignedMetadata.Parse(message.Plaintext) is not { } metadata) return Fail("the signed text is not the sif library's digest JSON");
        else if (metadata.Mismatch(layout, group, digests, ct) is { } mismatch) return Fail(mismatch);

        var found = new SignatureVerdict(sig.Id, SignatureStatus.Verified, fingerprint, legacy ? LegacySignature.Note : "", key.UserId, key.Uploader);
        if (key.Revoked || signer.HasRevocation()) return found with { Status = SignatureStatus.Revoked, Detail = "the key was revoked" };
        if (key.ExpiresAt is { } expires && expires <= now) return found with { Status = SignatureStatus.Expired, Detail = $"the key expired on {expires:yyyy-MM-dd}" };
        return found;
    }

    private static List<SifObject> GroupOf(SifLayout layout, uint group) => group == 0 ? [] : [.. layout.Objects.Where(o => o.GroupId == group)];
}
