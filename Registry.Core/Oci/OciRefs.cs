using System.Text.RegularExpressions;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>
/// Names on <c>/v2/</c>: a repository is <c>entity/collection/container</c> (the same three names as <c>library://</c>),
/// a reference a tag or a <c>sha256:</c> digest. See: docs/oci.md §Naming.
/// </summary>
public static partial class OciRefs
{
    public const string Sha256Prefix = "sha256:";

    // See: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-manifests (digest grammar)
    [GeneratedRegex("^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex DigestGrammar();

    /// <summary>Parses <c>sha256:&lt;64 lowercase hex&gt;</c>; other algorithms are not stored here.</summary>
    public static bool TryParseDigest(string? value, out Digest digest)
    {
        digest = default;
        return value is not null && value.StartsWith(Sha256Prefix, StringComparison.Ordinal)
            && Digest.TryParseHex(value[Sha256Prefix.Length..], out digest);
    }

    /// <summary>Whether a value is shaped like a digest at all (so an unknown algorithm is told apart from a tag).</summary>
    public static bool LooksLikeDigest(string? value) => value is { Length: <= 256 } && value.Contains(':') && DigestGrammar().IsMatch(value);

    public static string Oci(this Digest digest) => Sha256Prefix + digest.Hex;

    /// <summary>Tags are Library tags: the same rule, so a tag pushed on one face can be pulled on the other.</summary>
    public static bool IsTag(string? value) => Names.IsValid(value);
}

/// <summary>A repository path: the container <c>library://Entity/Collection/Container</c>.</summary>
public sealed record OciRepository(string Entity, string Collection, string Container)
{
    public override string ToString() => $"{Entity}/{Collection}/{Container}";

    public static OciRepository? Parse(string? entity, string? collection, string? container) =>
        Names.IsValid(entity) && Names.IsValid(collection) && Names.IsValid(container) ? new(entity!, collection!, container!) : null;
}
