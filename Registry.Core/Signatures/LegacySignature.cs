using System.Buffers.Binary;

namespace Registry.Core.Signatures;

/// <summary>
/// The signatures Singularity wrote before 3.6 ("legacy"): a PGP clear-signed <c>SIFHASH:\n&lt;hex&gt;\n</c>, the digest
/// (of the descriptor's hash type, SHA-384 in practice) of one object's bytes when the signature links that object, or of
/// the bytes of every object of a group, concatenated in descriptor order, when it links the group. No header or descriptor
/// is covered, so <c>apptainer verify --legacy-insecure</c> checks, by default, only that the primary system partition
/// (what runs) is signed. See: sif pkg/integrity/digest.go (newLegacyDigest), verify.go (legacyGroupVerifier, legacyObjectVerifier).
/// </summary>
internal static class LegacySignature
{
    public const string Prefix = "SIFHASH:\n";
    /// <summary>Said with a verified legacy signature: good, but weaker than the current format.</summary>
    public const string Note = "legacy signature (Singularity before 3.6): it covers the signed objects' bytes, not the SIF header or descriptors";
    private const int PartitionType = 0x4004, PrimarySystem = 2;

    public static bool Is(ClearSigned message) => message.Plaintext.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The objects a legacy signature covers: every object of its group, or the one non-signature object it links.</summary>
    public static List<SifObject> Covered(SifLayout layout, SifObject sig) => sig.LinksGroup
        ? [.. layout.Objects.Where(o => sig.LinkedId != 0 && o.GroupId == sig.LinkedId)]
        : [.. layout.Objects.Where(o => o.Id == sig.LinkedId && !o.IsSignature)];

    /// <summary>Null when the signed digest matches the covered objects' bytes, else what does not.</summary>
    public static string? Mismatch(ClearSigned message, SifObject sig, IReadOnlyList<SifObject> covered, SifLayout layout, ObjectDigests digests, CancellationToken ct)
    {
        // The sif library's hash types; the BLAKE2 ones (4, 5) have no digest it can verify either.
        var algorithm = sig.HashType switch { 1 => "sha256", 2 => "sha384", 3 => "sha512", _ => null };
        if (algorithm is null) return $"the legacy signature names hash type {sig.HashType}, which cannot be verified";
        var lines = message.Plaintext[Prefix.Length..].Split('\n');
        if (lines.Skip(1).Any(l => l.Length > 0) || SifDigest.Parse($"{algorithm}:{lines[0]}") is not { } signed)
            return "the legacy signature's digest is malformed";
        if (covered.FirstOrDefault(o => !layout.Contains(o)) is { } outside) return $"object {outside.Id} lies outside the file";
        if (signed.Matches(digests.OfConcatenated(covered, algorithm, ct))) return null;
        return sig.LinksGroup ? $"object group {sig.LinkedId} was changed after signing" : $"object {sig.LinkedId} was changed after signing";
    }

    /// <summary>
    /// For an image whose signatures are legacy ones: null when its primary system partition is covered by one of them
    /// (linked to it or to its group), else why the image as a whole is not signed.
    /// </summary>
    public static string? ImageProblem(SifLayout layout, IReadOnlyCollection<SifObject> legacy)
    {
        var partition = layout.Objects.FirstOrDefault(o => o.DataType == PartitionType && BinaryPrimitives.ReadInt32LittleEndian(o.Raw.AsSpan(205)) == PrimarySystem);
        if (partition is null) return "the image has no primary system partition for a legacy signature to cover";
        return legacy.Any(s => s.LinksGroup ? s.LinkedId != 0 && s.LinkedId == partition.GroupId : s.LinkedId == partition.Id)
            ? null : $"no legacy signature covers the primary system partition (object {partition.Id})";
    }
}
