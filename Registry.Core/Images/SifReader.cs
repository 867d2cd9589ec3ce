using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Registry.Core.Images;

/// <summary>What a SIF file carries besides its file systems, as shown on the container page.</summary>
public sealed record SifMetadata(
    string? DefinitionFile,
    IReadOnlyDictionary<string, string> Labels,
    string? Environment,
    string? Runscript,
    bool Signed,
    int Descriptors);

/// <summary>
/// Reads the SIF global header and descriptor table (little-endian, packed Go structs) without touching partitions.
/// See: https://github.com/sylabs/sif — header 128 bytes (descriptor table offset at 96, its size at 104),
/// each descriptor 585 bytes: datatype int32 @0, used @4, offset int64 @17, size int64 @25.
/// Every offset and size comes from the file, so from whoever uploaded it: each is checked against the file's length
/// before it is used (a crafted header once made publishing throw forever). Whatever the bytes, reading answers.
/// </summary>
public static class SifReader
{
    private const int HeaderLength = 128;
    private const int DescriptorLength = 585;
    private const int MaxDescriptors = 1024;
    private const int MaxObjectBytes = 1 << 20; // metadata objects are small; never load a partition

    private const int Deffile = 0x4001, EnvVar = 0x4002, Labels = 0x4003, Signature = 0x4005;

    /// <summary>Parses the metadata of a seekable SIF stream; null if it is not a SIF file or its header is damaged.</summary>
    public static SifMetadata? Read(Stream sif) => Read(sif, out _);

    /// <summary>As <see cref="Read(Stream)"/>, saying what is wrong when it answers null.</summary>
    public static SifMetadata? Read(Stream sif, out string? problem)
    {
        var header = new byte[HeaderLength];
        sif.Position = 0;
        problem = "this is not a SIF file (no SIF_MAGIC in its header)";
        if (sif.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false) < HeaderLength) return null;
        if (!header.AsSpan(32, 9).SequenceEqual("SIF_MAGIC"u8)) return null;

        var length = sif.Length;
        var tableOffset = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(96));
        var tableSize = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(104));
        problem = "the SIF header is damaged: its descriptor table lies outside the file";
        if (tableOffset < HeaderLength || tableSize <= 0 || tableSize > MaxDescriptors * DescriptorLength || !Within(tableOffset, tableSize, length))
            return null;

        var table = new byte[tableSize];
        sif.Position = tableOffset;
        sif.ReadExactly(table);

        string? deffile = null, environment = null;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var signed = false;
        var used = 0;
        for (var at = 0; at + DescriptorLength <= table.Length; at += DescriptorLength)
        {
            var d = table.AsSpan(at, DescriptorLength);
            if (d[4] == 0) continue;
            used++;
            var type = BinaryPrimitives.ReadInt32LittleEndian(d);
            var offset = BinaryPrimitives.ReadInt64LittleEndian(d[17..]);
            var size = BinaryPrimitives.ReadInt64LittleEndian(d[25..]);
            if (!Within(offset, size, length))
            {
                problem = $"the SIF header is damaged: object {used} (type 0x{type:x}) lies outside the file";
                return null;
            }
            switch (type)
            {
                case Signature: signed = true; break;
                case Deffile: deffile ??= ReadText(sif, offset, size); break;
                case EnvVar: environment ??= ReadText(sif, offset, size); break;
                case Labels: MergeLabels(ReadText(sif, offset, size), labels); break;
            }
        }
        problem = null;
        return new SifMetadata(deffile, labels, environment, deffile is null ? null : Section(deffile, "runscript"), signed, used);
    }

    /// <summary>The body of a <c>%section</c> of a definition file, or null when it has none.</summary>
    public static string? Section(string definition, string name)
    {
        var lines = definition.Replace("\r\n", "\n").Split('\n');
        var body = new List<string>();
        var inside = false;
        foreach (var line in lines)
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith('%'))
            {
                if (inside) break;
                var header = trimmed[1..].Split([' ', '\t'], 2)[0];
                inside = header.Equals(name, StringComparison.OrdinalIgnoreCase);
                continue;
            }
            if (inside) body.Add(line);
        }
        return inside || body.Count > 0 ? string.Join('\n', body).Trim('\n') : null;
    }

    /// <summary>Whether <c>[offset, offset + size)</c> lies inside a file of <paramref name="length"/> bytes, without overflowing.</summary>
    private static bool Within(long offset, long size, long length) => offset >= 0 && size >= 0 && offset <= length && size <= length - offset;

    private static string? ReadText(Stream sif, long offset, long size)
    {
        if (size == 0) return null;
        var bytes = new byte[Math.Min(size, MaxObjectBytes)];
        sif.Position = offset;
        sif.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
    }

    private static void MergeLabels(string? json, Dictionary<string, string> into)
    {
        if (string.IsNullOrWhiteSpace(json)) return;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return;
            foreach (var p in doc.RootElement.EnumerateObject())
                into[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
        }
        catch (JsonException) { /* labels written by hand may be invalid; show none rather than fail */ }
    }
}
