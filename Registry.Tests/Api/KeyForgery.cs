using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Registry.Tests.Api;

/// <summary>Key blocks a stranger could craft without the private key, built with BouncyCastle from real gpg exports.</summary>
public static class KeyForgery
{
    /// <summary>The victim's key carrying the revocation signature of another key (its issuer is the other key).</summary>
    public static string WithRevocationOf(string victimArmored, string revokedOtherArmored)
    {
        var victim = Ring(victimArmored);
        var revocation = Ring(revokedOtherArmored).GetPublicKey().GetSignaturesOfType(PgpSignature.KeyRevocation).Cast<PgpSignature>().Single();
        var primary = PgpPublicKey.AddCertification(victim.GetPublicKey(), revocation);
        return Armor(PgpPublicKeyRing.InsertPublicKey(victim, primary));
    }

    /// <summary>The victim's key carrying another key's user id with that key's self-signature (its issuer is the other key).</summary>
    public static string WithUidOf(string victimArmored, string otherArmored)
    {
        var victim = Ring(victimArmored);
        var other = Ring(otherArmored).GetPublicKey();
        var uid = other.GetUserIds().First();
        var primary = victim.GetPublicKey();
        foreach (var signature in other.GetSignaturesForId(uid).Cast<PgpSignature>()) primary = PgpPublicKey.AddCertification(primary, uid, signature);
        return Armor(PgpPublicKeyRing.InsertPublicKey(victim, primary));
    }

    /// <summary>The key with <paramref name="count"/> valid certifications of its first user id, each by a new throwaway ECDSA key.</summary>
    public static string WithCertifications(string armored, int count)
    {
        var ring = Ring(armored);
        var primary = ring.GetPublicKey();
        var uid = primary.GetUserIds().First();
        var generator = GeneratorUtilities.GetKeyPairGenerator("ECDSA");
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, new SecureRandom()));
        for (var i = 0; i < count; i++)
        {
            var signer = new PgpKeyPair(PublicKeyAlgorithmTag.ECDsa, generator.GenerateKeyPair(), DateTime.UtcNow);
            var signature = new PgpSignatureGenerator(PublicKeyAlgorithmTag.ECDsa, HashAlgorithmTag.Sha256);
            signature.InitSign(PgpSignature.DefaultCertification, signer.PrivateKey);
            primary = PgpPublicKey.AddCertification(primary, uid, signature.GenerateCertification(uid, primary));
        }
        return Armor(PgpPublicKeyRing.InsertPublicKey(ring, primary));
    }

    /// <summary>The key ids (hex) of everyone but the key itself who signed one of its user ids, in stored order.</summary>
    public static List<string> ThirdPartyCertifiersOf(string armored)
    {
        var primary = Ring(armored).GetPublicKey();
        return primary.GetUserIds().SelectMany(uid => primary.GetSignaturesForId(uid).Cast<PgpSignature>())
            .Where(s => s.KeyId != primary.KeyId).Select(s => ((ulong)s.KeyId).ToString("x16")).ToList();
    }

    private static string Armor(PgpPublicKeyRing ring)
    {
        using var output = new MemoryStream();
        using (var armor = new ArmoredOutputStream(output)) ring.Encode(armor);
        return Encoding.ASCII.GetString(output.ToArray());
    }

    /// <summary>Whether any revocation packet sits on the primary key, verified or not (what the obsolete IsRevoked() answered).</summary>
    public static bool HasRevocationPacket(string armored) => Ring(armored).GetPublicKey().HasRevocation();

    private static PgpPublicKeyRing Ring(string armored) => new(PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.ASCII.GetBytes(armored))));
}
