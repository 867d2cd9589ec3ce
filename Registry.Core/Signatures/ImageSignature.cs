using Registry.Core.Images;

namespace Registry.Core.Signatures;

/// <summary>The stored verdict on one signature object of an image (see <see cref="SignatureVerdict"/>); no rows: unsigned.</summary>
public class ImageSignature
{
    public long Id { get; set; }
    public string ImageId { get; set; } = "";
    public Image? Image { get; set; }
    /// <summary>The signature object's id in the SIF (0: the descriptors could not be read).</summary>
    public long ObjectId { get; set; }
    public SignatureStatus Status { get; set; }
    /// <summary>The signing key's primary fingerprint, lowercase hex, when the signature names one.</summary>
    public string? Fingerprint { get; set; }
    /// <summary>The key's primary user id and the account that uploaded it, when the key is in the keyserver.</summary>
    public string? KeyUserId { get; set; }
    public string? KeyUploader { get; set; }
    /// <summary>What failed (empty when verified).</summary>
    public string Detail { get; set; } = "";
    public DateTime CheckedAt { get; set; }
}
