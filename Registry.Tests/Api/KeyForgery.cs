using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

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
