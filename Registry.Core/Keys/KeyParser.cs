using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Registry.Core.Keys;

/// <summary>Reads uploaded key blocks with BouncyCastle, merges copies of one key and writes key rings back as ASCII armor.</summary>
public static class KeyParser
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

    /// <summary>The stored form of a ring (certifications capped, see <see cref="Certifications.Capped"/>), or null without a self-signed user id.</summary>
    internal static PublicKey? Describe(PgpPublicKeyRing ring)
    {
        ring = Certifications.Capped(ring);
        var primary = ring.GetPublicKey();
        // Only user ids the key itself certified: anyone could append a stranger's name to a key otherwise.
        var uids = primary.GetUserIds().Where(uid => Certifications.IsSelfSigned(primary, uid)).Distinct().ToList();
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
            Revoked = Certifications.IsRevoked(primary),
            Uids = string.Join('\n', uids),
            Armored = Armor(ring),
        };
    }

    private static string Armor(PgpPublicKeyRing ring)
    {
        using var output = new MemoryStream();
        using (var armor = new ArmoredOutputStream(output)) ring.Encode(armor);
        return Encoding.ASCII.GetString(output.ToArray());
    }

    public static string KeyIdHex(long keyId) => ((ulong)keyId).ToString("x16");
}
