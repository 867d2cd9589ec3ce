using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Registry.Core.Keys;

/// <summary>Reads uploaded key blocks with BouncyCastle, merges copies of one key and writes key rings back as ASCII armor.</summary>
public static partial class KeyParser
{
    /// <summary>Every public key ring of an armored block, or a message saying why the block is unusable.</summary>
    public static Result<List<PublicKey>> Parse(string keyText)
    {
        PgpPublicKeyRingBundle bundle;
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.UTF8.GetBytes(keyText)));
            bundle = new PgpPublicKeyRingBundle(input);
        }
        catch (Exception e) when (e is IOException or PgpException or ArgumentException or InvalidOperationException)
        {
            return Result.Invalid($"keytext is not a valid OpenPGP public key block: {e.Message}");
        }
        var keys = new List<PublicKey>();
        foreach (var ring in bundle.GetKeyRings())
        {
            var key = Describe(ring);
            if (key is null) return Result.Invalid($"key {Convert.ToHexStringLower(ring.GetPublicKey().GetFingerprint())} has no self-signed user id");
            keys.Add(key);
        }
        return keys.Count == 0 ? Result.Invalid("keytext holds no OpenPGP public key") : keys;
    }

    /// <summary>The stored key joined with an uploaded copy: the sum of their user ids, subkeys and signatures, as keyservers merge.</summary>
    public static PublicKey Merge(PublicKey stored, PublicKey uploaded) =>
        Describe(PgpPublicKeyRing.Join(Ring(stored.Armored), Ring(uploaded.Armored)))!;

    /// <summary>
    /// The stored key with what the uploaded copy adds that the key itself signed, and nothing else of it: revocations (what
    /// a revocation certificate carries), direct-key signatures, user ids with their self-signatures, new self-signatures on
    /// user ids it has (a new expiry), subkeys with their binding signatures, and new binding signatures or revocations of the
    /// subkeys it has. Only the holder of the private key can make these, so they count whoever uploads them: the key's owner
    /// can add to a copy a stranger uploaded first. Null when the copy adds none, or the stored key is revoked.
    /// </summary>
    public static PublicKey? MergeSelfCertified(PublicKey stored, PublicKey uploaded)
    {
        var ring = Ring(stored.Armored);
        var primary = ring.GetPublicKey();
        if (IsRevoked(primary)) return null;
        var theirs = Ring(uploaded.Armored);
        var theirPrimary = theirs.GetPublicKey();
        var changed = false;
        foreach (var signature in theirPrimary.GetSignatures().Cast<PgpSignature>()
                     .Where(s => s.SignatureType is PgpSignature.KeyRevocation or PgpSignature.DirectKey && s.KeyId == primary.KeyId)
                     .Where(s => !Has(primary.GetSignatures(), s) && Verifies(s, theirPrimary, s => s.VerifyCertification(theirPrimary))))
        {
            primary = PgpPublicKey.AddCertification(primary, signature);
            changed = true;
        }
        foreach (var uid in theirPrimary.GetUserIds().Where(uid => !uid.Contains('\n')))
        {
            var known = primary.GetSignaturesForId(uid) ?? [];
            foreach (var self in theirPrimary.GetSignaturesForId(uid).Cast<PgpSignature>()
                         .Where(s => s.KeyId == primary.KeyId && !Has(known, s) && Verifies(s, theirPrimary, s => s.VerifyCertification(uid, theirPrimary))))
            {
                primary = PgpPublicKey.AddCertification(primary, uid, self);
                changed = true;
            }
        }
        ring = PgpPublicKeyRing.InsertPublicKey(ring, primary);
        foreach (var subkey in theirs.GetPublicKeys().Where(k => !k.IsMasterKey))
        {
            var storedSubkey = ring.GetPublicKey(subkey.KeyId);
            // A new subkey keeps only its binding signatures; a known one takes new bindings and revocations.
            var result = storedSubkey ?? subkey;
            var added = false;
            foreach (var signature in subkey.GetSignatures().Cast<PgpSignature>().ToList())
            {
                var bySelf = signature.SignatureType is PgpSignature.SubkeyBinding or PgpSignature.SubkeyRevocation
                    && signature.KeyId == primary.KeyId && Verifies(signature, theirPrimary, s => s.VerifyCertification(theirPrimary, subkey));
                if (storedSubkey is null)
                {
                    if (bySelf && signature.SignatureType == PgpSignature.SubkeyBinding) added = true;
                    else result = PgpPublicKey.RemoveCertification(result, signature) ?? result;
                }
                else if (bySelf && !Has(result.GetSignatures(), signature))
                {
                    result = PgpPublicKey.AddCertification(result, signature);
                    added = true;
                }
            }
            if (!added) continue;
            ring = PgpPublicKeyRing.InsertPublicKey(ring, result);
            changed = true;
        }
        return changed ? Describe(ring) : null;
    }

    private static bool Has(IEnumerable<PgpSignature> signatures, PgpSignature signature)
    {
        var encoded = signature.GetEncoded();
        return signatures.Any(s => s.GetEncoded().AsSpan().SequenceEqual(encoded));
    }

    /// <summary>One armor block holding all the given rings: the key client reads only the first block of a response.</summary>
    public static string Combine(IReadOnlyList<string> armoredRings)
    {
        if (armoredRings.Count == 1) return armoredRings[0];
        using var output = new MemoryStream();
        using (var armor = new ArmoredOutputStream(output))
            foreach (var armored in armoredRings)
                Ring(armored).Encode(armor);
        return Encoding.ASCII.GetString(output.ToArray());
    }

    internal static PgpPublicKeyRing Ring(string armored) =>
        new(PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.ASCII.GetBytes(armored))));

    /// <summary>The stored form of a ring (certifications capped, see <see cref="Capped"/>), or null without a self-signed user id.</summary>
    private static PublicKey? Describe(PgpPublicKeyRing ring)
    {
        ring = Capped(ring);
        var primary = ring.GetPublicKey();
        // Only user ids the key itself certified: anyone could append a stranger's name to a key otherwise.
        var uids = primary.GetUserIds().Where(uid => IsSelfSigned(primary, uid)).Distinct().ToList();
        if (uids.Count == 0) return null;
        var created = DateTime.SpecifyKind(primary.CreationTime, DateTimeKind.Utc);
        var validSeconds = primary.GetValidSeconds();
        return new PublicKey
        {
            Fingerprint = Convert.ToHexStringLower(primary.GetFingerprint()),
            KeyId = KeyIdHex(primary.KeyId),
            SubkeyIds = " " + string.Concat(ring.GetPublicKeys().Where(k => !k.IsMasterKey).Select(k => KeyIdHex(k.KeyId) + " ")),
            Algorithm = (int)primary.Algorithm,
            Bits = primary.BitStrength,
            KeyCreatedAt = created,
            ExpiresAt = validSeconds > 0 ? created.AddSeconds(validSeconds) : null,
            Revoked = IsRevoked(primary),
            Uids = string.Join('\n', uids),
            Armored = Armor(ring),
        };
    }

    internal static bool IsSelfSigned(PgpPublicKey primary, string uid) =>
        !uid.Contains('\n') && primary.GetSignaturesForId(uid).Cast<PgpSignature>()
            .Any(s => s.KeyId == primary.KeyId && Verifies(s, primary, s => s.VerifyCertification(uid, primary)));

    /// <summary>Revoked only by a revocation the key itself signed: HasRevocation() trusts any packet, so a stranger could mark a key revoked.</summary>
    private static bool IsRevoked(PgpPublicKey primary) => VerifiedRevocations(primary).Any();

    private static IEnumerable<PgpSignature> VerifiedRevocations(PgpPublicKey primary) =>
        primary.GetSignaturesOfType(PgpSignature.KeyRevocation).Cast<PgpSignature>()
            .Where(s => s.KeyId == primary.KeyId && Verifies(s, primary, s => s.VerifyCertification(primary)));

    internal static bool Verifies(PgpSignature signature, PgpPublicKey signer, Func<PgpSignature, bool> verify)
    {
        try
        {
            signature.InitVerify(signer);
            return verify(signature);
        }
        catch (Exception e) when (e is PgpException or InvalidOperationException) { return false; } // not a kind this check verifies
    }

    private static string Armor(PgpPublicKeyRing ring)
    {
        using var output = new MemoryStream();
        using (var armor = new ArmoredOutputStream(output)) ring.Encode(armor);
        return Encoding.ASCII.GetString(output.ToArray());
    }

    public static string KeyIdHex(long keyId) => ((ulong)keyId).ToString("x16");
}
