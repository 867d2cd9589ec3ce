namespace Registry.Core.Signatures;

/// <summary>What checking one signature of an image found.</summary>
public enum SignatureStatus
{
    /// <summary>Good signature by a key in this registry's keyserver, over objects that still match it.</summary>
    Verified,
    /// <summary>The signing key is not in the keyserver, so the signature cannot be checked.</summary>
    UnknownKey,
    /// <summary>The signature, or the digests it signs, don't match: the image was changed after signing, or the signature is malformed.</summary>
    Invalid,
    /// <summary>A good signature by a key that has since been revoked.</summary>
    Revoked,
    /// <summary>A good signature by a key that has expired.</summary>
    Expired,
}

/// <summary>
/// The verdict on one signature object (<paramref name="ObjectId"/>, 0 when the file's descriptors could not be read):
/// the signer's fingerprint when known, the key's primary user id and the account that uploaded the key, and what failed.
/// </summary>
public sealed record SignatureVerdict(uint ObjectId, SignatureStatus Status, string? Fingerprint, string Detail,
    string? KeyUserId = null, string? KeyUploader = null);

/// <summary>A key of the keyserver as the verifier needs it.</summary>
public sealed record SigningKey(string Fingerprint, string Armored, bool Revoked, DateTime? ExpiresAt, string? UserId, string? Uploader);

/// <summary>Finds a key by its primary fingerprint (lowercase hex) or, when a signature names none, by the id of the (sub)key that signed.</summary>
public delegate Task<SigningKey?> KeyLookup(string? fingerprint, ulong keyId, CancellationToken ct);
