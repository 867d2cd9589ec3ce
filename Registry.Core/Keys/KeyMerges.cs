using Org.BouncyCastle.Bcpg.OpenPgp;
using static Registry.Core.Keys.Certifications;
using static Registry.Core.Keys.KeyParser;

namespace Registry.Core.Keys;

/// <summary>
/// Two copies of one key become one, in the three ways <see cref="KeyService"/> chooses between by who uploads: the
/// owner's push replaces, a proven owner's copy is joined whole, anyone else adds only what the key signed itself.
/// </summary>
public static class KeyMerges
{
    /// <summary>The stored key joined with an uploaded copy: the sum of their user ids, subkeys and signatures, as keyservers merge.</summary>
    public static PublicKey Merge(PublicKey stored, PublicKey uploaded) =>
        Describe(PgpPublicKeyRing.Join(Ring(stored.Armored), Ring(uploaded.Armored)))!;

    /// <summary>
    /// The owner's push (<see cref="KeyService"/>: proven control): what the stored key signed itself stays (user ids with
    /// their self-signatures, subkeys with their bindings, its revocations, since no copy may take those back), everything
    /// else is replaced by what the uploaded copy carries.
    /// </summary>
    public static PublicKey Replace(PublicKey stored, PublicKey uploaded) =>
        Describe(PgpPublicKeyRing.Join(SelfCertifiedOnly(Ring(stored.Armored)), Ring(uploaded.Armored)))!;

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

    /// <summary>The ring without third-party signatures and without user ids the key did not sign itself.</summary>
    private static PgpPublicKeyRing SelfCertifiedOnly(PgpPublicKeyRing ring)
    {
        var primary = ring.GetPublicKey();
        var self = primary;
        foreach (var signature in primary.GetKeySignatures().Cast<PgpSignature>().ToList())
            if (!BySelf(signature, self, s => s.VerifyCertification(self)))
                primary = PgpPublicKey.RemoveCertification(primary, signature) ?? primary;
        foreach (var uid in primary.GetUserIds().ToList())
        {
            if (!IsSelfSigned(self, uid))
            {
                primary = PgpPublicKey.RemoveCertification(primary, uid) ?? primary;
                continue;
            }
            foreach (var signature in primary.GetSignaturesForId(uid).Cast<PgpSignature>().ToList())
                if (!BySelf(signature, self, s => s.VerifyCertification(uid, self)))
                    primary = PgpPublicKey.RemoveCertification(primary, uid, signature) ?? primary;
        }
        ring = PgpPublicKeyRing.InsertPublicKey(ring, primary);
        foreach (var subkey in ring.GetPublicKeys().Where(k => !k.IsMasterKey).ToList())
        {
            var kept = subkey;
            foreach (var signature in subkey.GetSignatures().Cast<PgpSignature>().ToList())
                if (!BySelf(signature, self, s => s.VerifyCertification(self, subkey)))
                    kept = PgpPublicKey.RemoveCertification(kept, signature) ?? kept;
            ring = PgpPublicKeyRing.InsertPublicKey(ring, kept);
        }
        return ring;
    }
}
