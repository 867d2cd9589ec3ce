using Registry.Core.Identity;

namespace Registry.Core.Keys;

/// <summary>One OpenPGP public key ring (primary key, its user ids and subkeys) served by the HKP keyserver. See: docs/keyserver-hkp.md.</summary>
public class PublicKey
{
    /// <summary>The primary key's fingerprint, lowercase hex (40 digits for v4 keys).</summary>
    public string Fingerprint { get; set; } = "";
    /// <summary>The primary key's 64-bit key id, 16 lowercase hex digits.</summary>
    public string KeyId { get; set; } = "";
    /// <summary>The subkeys' ids, space-separated and space-framed (<c>" id1 id2 "</c>) so one query finds a whole or short id.</summary>
    public string SubkeyIds { get; set; } = " ";
    /// <summary>OpenPGP public key algorithm number (1 RSA, 17 DSA, 22 EdDSA…), as the HKP index wants it.</summary>
    public int Algorithm { get; set; }
    public int Bits { get; set; }
    public DateTime KeyCreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public bool Revoked { get; set; }
    /// <summary>The self-signed user ids, one a line.</summary>
    public string Uids { get; set; } = "";
    public string Armored { get; set; } = "";
    /// <summary>Who uploaded it first; only they (or an admin) may change it, anyone may add its own revocation. Null once that user is deleted.</summary>
    public string? UploaderId { get; set; }
    public RegistryUser? Uploader { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime UpdatedAt { get; set; } = DateTime.UtcNow;

    public IEnumerable<string> UidList => Uids.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
