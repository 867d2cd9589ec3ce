using System.Text.Json;
using System.Text.Json.Serialization;

namespace Registry.Core.Signatures;

/// <summary>
/// The JSON a signature signs: the header's digest and, per object of the group, the digests of its descriptor and its
/// bytes, by id relative to the group's smallest. See: sif pkg/integrity/metadata.go (imageMetadata).
/// </summary>
internal sealed record SignedMetadata(
    [property: JsonPropertyName("header")] SignedHeader? Header,
    [property: JsonPropertyName("objects")] List<SignedObject>? Objects)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, MaxDepth = 8 };

    public static SignedMetadata? Parse(string plaintext)
    {
        try { return JsonSerializer.Deserialize<SignedMetadata>(plaintext, Json); }
        catch (JsonException) { return null; }
    }

    /// <summary>Checks the group's objects against what was signed; null when everything matches, else what does not.</summary>
    public string? Mismatch(SifLayout layout, IReadOnlyList<SifObject> group, ObjectDigests digests, CancellationToken ct)
    {
        if (Header?.Digest is not { } headerDigest || Objects is null || Objects.Any(o => o.DescriptorDigest is null || o.ObjectDigest is null))
            return "the signed metadata is malformed (a digest is missing or not one the sif library writes)";
        var minId = group.Min(o => o.Id);
        var signed = Objects.Select(o => (Id: unchecked(minId + o.RelativeId), Meta: o)).ToList();
        if (group.FirstOrDefault(o => signed.All(s => s.Id != o.Id)) is { } extra) return $"object {extra.Id} is not signed";
        if (signed.FirstOrDefault(s => group.All(o => o.Id != s.Id)) is { Meta: not null } missing) return $"signed object {missing.Id} not found";
        if (!headerDigest.Matches(headerDigest.Of(layout.HeaderIntegrity))) return "the SIF header was changed after signing";
        foreach (var o in group)
        {
            var meta = signed.First(s => s.Id == o.Id).Meta;
            if (!meta.DescriptorDigest!.Matches(meta.DescriptorDigest.Of(o.IntegrityBytes()))) return $"the descriptor of object {o.Id} was changed after signing";
            if (!layout.Contains(o)) return $"object {o.Id} lies outside the file";
            if (!meta.ObjectDigest!.Matches(digests.Of(o, meta.ObjectDigest.Algorithm, ct))) return $"object {o.Id} was changed after signing";
        }
        return null;
    }
}

internal sealed record SignedHeader([property: JsonPropertyName("digest"), JsonConverter(typeof(DigestConverter))] SifDigest? Digest);

internal sealed record SignedObject(
    [property: JsonPropertyName("relativeId")] uint RelativeId,
    [property: JsonPropertyName("descriptorDigest"), JsonConverter(typeof(DigestConverter))] SifDigest? DescriptorDigest,
    [property: JsonPropertyName("objectDigest"), JsonConverter(typeof(DigestConverter))] SifDigest? ObjectDigest);

/// <summary>"alg:hex" to a digest; an unknown algorithm or a malformed value fails the whole document, as Go's unmarshalling does.</summary>
internal sealed class DigestConverter : JsonConverter<SifDigest?>
{
    public override SifDigest? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && SifDigest.Parse(reader.GetString()) is { } d ? d : throw new JsonException("malformed digest");

    public override void Write(Utf8JsonWriter writer, SifDigest? value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value is null ? null : $"{value.Algorithm}:{Convert.ToHexStringLower(value.Value)}");
}
