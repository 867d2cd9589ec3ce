using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Registry.Core.Keys;

/// <summary>Who signed what on a key: its own signatures (verified, never trusted by key id alone), and how much of what
/// others signed a key keeps.</summary>
public static class Certifications
{
    /// <summary>
    /// Third-party certifications kept per user id (and on the key itself): the first ones stored stay, later ones are
    /// dropped, so nobody can flood a key (keyservers were taken down that way). The key's own signatures are never counted.
    /// </summary>
    public const int MaxCertificationsPerUid = 64;

    /// <summary>The ring with at most <see cref="MaxCertificationsPerUid"/> third-party certifications per user id and on the key.</summary>
    internal static PgpPublicKeyRing Capped(PgpPublicKeyRing ring)
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
    internal static bool BySelf(PgpSignature signature, PgpPublicKey primary, Func<PgpSignature, bool> verify) =>
        signature.KeyId == primary.KeyId && Verifies(signature, primary, verify);

    internal static bool IsSelfSigned(PgpPublicKey primary, string uid) =>
        !uid.Contains('\n') && primary.GetSignaturesForId(uid).Cast<PgpSignature>()
            .Any(s => s.KeyId == primary.KeyId && Verifies(s, primary, s => s.VerifyCertification(uid, primary)));

    /// <summary>Revoked only by a revocation the key itself signed: HasRevocation() trusts any packet, so a stranger could mark a key revoked.</summary>
    internal static bool IsRevoked(PgpPublicKey primary) => VerifiedRevocations(primary).Any();

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
}
