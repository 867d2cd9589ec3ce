using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Registry.Core.Keys;

/// <summary>What the key's owner may replace, and how much of what others signed a key keeps.</summary>
public static partial class KeyParser
{
    /// <summary>
    /// Third-party certifications kept per user id (and on the key itself): the first ones stored stay, later ones are
    /// dropped, so nobody can flood a key (keyservers were taken down that way). The key's own signatures are never counted.
    /// </summary>
    public const int MaxCertificationsPerUid = 64;

    /// <summary>
    /// The owner's push (<see cref="KeyService"/>: proven control): what the stored key signed itself stays (user ids with
    /// their self-signatures, subkeys with their bindings, its revocations, since no copy may take those back), everything
    /// else is replaced by what the uploaded copy carries.
    /// </summary>
    public static PublicKey Replace(PublicKey stored, PublicKey uploaded) =>
        Describe(PgpPublicKeyRing.Join(SelfCertifiedOnly(Ring(stored.Armored)), Ring(uploaded.Armored)))!;

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

    /// <summary>The ring with at most <see cref="MaxCertificationsPerUid"/> third-party certifications per user id and on the key.</summary>
    private static PgpPublicKeyRing Capped(PgpPublicKeyRing ring)
    {
        var primary = ring.GetPublicKey();
        var self = primary;
        foreach (var extra in Beyond(primary.GetKeySignatures(), s => BySelf(s, self, s => s.VerifyCertification(self))))
            primary = PgpPublicKey.RemoveCertification(primary, extra) ?? primary;
        foreach (var uid in primary.GetUserIds().ToList())
            foreach (var extra in Beyond(primary.GetSignaturesForId(uid), s => BySelf(s, self, s => s.VerifyCertification(uid, self))))
                primary = PgpPublicKey.RemoveCertification(primary, uid, extra) ?? primary;
        return ReferenceEquals(primary, self) ? ring : PgpPublicKeyRing.InsertPublicKey(ring, primary);
    }

    /// <summary>The third-party signatures past the cap (a cheap key id test first: verifying is only needed past it).</summary>
    private static List<PgpSignature> Beyond(IEnumerable<PgpSignature> signatures, Func<PgpSignature, bool> bySelf)
    {
        var all = signatures.ToList();
        if (all.Count <= MaxCertificationsPerUid) return [];
        return all.Where(s => !bySelf(s)).Skip(MaxCertificationsPerUid).ToList();
    }

    /// <summary>Made by the key itself: its key id, and the signature verifies (a packet could claim the id).</summary>
    private static bool BySelf(PgpSignature signature, PgpPublicKey primary, Func<PgpSignature, bool> verify) =>
        signature.KeyId == primary.KeyId && Verifies(signature, primary, verify);
}
