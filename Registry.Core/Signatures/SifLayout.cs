using System.Buffers.Binary;

namespace Registry.Core.Signatures;

/// <summary>One in-use SIF data object descriptor, as the sif library's <c>rawDescriptor</c> holds it (585 packed little-endian bytes).</summary>
public sealed record SifObject(byte[] Raw, uint RelativeId)
{
    public const int Length = 585;
    public const int SignatureType = 0x4005;
    public const uint GroupMask = 0xf0000000;

    public int DataType => BinaryPrimitives.ReadInt32LittleEndian(Raw);
    public uint Id => BinaryPrimitives.ReadUInt32LittleEndian(Raw.AsSpan(5));
    public uint RawGroupId => BinaryPrimitives.ReadUInt32LittleEndian(Raw.AsSpan(9));
    public uint GroupId => RawGroupId & ~GroupMask;
    public uint RawLinkedId => BinaryPrimitives.ReadUInt32LittleEndian(Raw.AsSpan(13));
    public uint LinkedId => RawLinkedId & ~GroupMask;
    public bool LinksGroup => (RawLinkedId & GroupMask) == GroupMask;
    public long Offset => BinaryPrimitives.ReadInt64LittleEndian(Raw.AsSpan(17));
    public long Size => BinaryPrimitives.ReadInt64LittleEndian(Raw.AsSpan(25));
    public bool IsSignature => DataType == SignatureType;
    /// <summary>The signature descriptor's extra data: hash type (int32), then the signer's 20-byte fingerprint.</summary>
    public int HashType => BinaryPrimitives.ReadInt32LittleEndian(Raw.AsSpan(201));
    public byte[] Fingerprint => Raw[205..225];

    /// <summary>
    /// The integrity-protected fields, as <c>Descriptor.GetIntegrityReader</c> writes them: the group-relative id instead of
    /// the absolute one, and neither offset nor modification time, so a signed object may move within the file.
    /// </summary>
    public byte[] IntegrityBytes()
    {
        var b = new byte[4 + 1 + 4 + 4 + 8 * 4 + 128 + 384];
        Raw.AsSpan(0, 4).CopyTo(b);
        b[4] = Raw[4] == 0 ? (byte)0 : (byte)1; // Go decodes a bool as "not zero" and encodes it as 1
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(5), RelativeId);
        Raw.AsSpan(13, 4).CopyTo(b.AsSpan(9));   // linked id
        Raw.AsSpan(25, 8).CopyTo(b.AsSpan(13));  // size
        Raw.AsSpan(41, 8).CopyTo(b.AsSpan(21));  // created at
        Raw.AsSpan(57, 16).CopyTo(b.AsSpan(29)); // uid, gid
        Raw.AsSpan(73, 512).CopyTo(b.AsSpan(45)); // name, extra
        return b;
    }
}

/// <summary>The parts of a SIF file a signature covers: the header's integrity fields and the in-use descriptors.</summary>
public sealed record SifLayout(byte[] HeaderIntegrity, IReadOnlyList<SifObject> Objects, long FileLength)
{
    private const int HeaderLength = 128;
    public const int MaxDescriptors = 1024;

    /// <summary>Reads the header and descriptor table of a seekable stream; a failure says what is wrong. Reads at most ~600 KiB.</summary>
    public static Result<SifLayout> Read(Stream sif)
    {
        var length = sif.Length;
        var header = new byte[HeaderLength];
        sif.Position = 0;
        if (sif.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false) < HeaderLength || !header.AsSpan(32, 10).SequenceEqual("SIF_MAGIC\0"u8))
            return Result.Invalid("not a SIF file");
        if (!header.AsSpan(42, 3).SequenceEqual("01\0"u8)) return Result.Invalid("unsupported SIF version");
        var total = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(88));
        var offset = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(96));
        var size = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(104));
        if (total is < 0 or > MaxDescriptors) return Result.Invalid($"the descriptor table claims {total} descriptors (at most {MaxDescriptors})");
        if (size < total * SifObject.Length || offset < 0 || offset > length || total * SifObject.Length > length - offset)
            return Result.Invalid("the descriptor table lies outside the file");

        var table = new byte[total * SifObject.Length];
        sif.Position = offset;
        sif.ReadExactly(table);
        var raws = Enumerable.Range(0, (int)total).Select(i => table[(i * SifObject.Length)..((i + 1) * SifObject.Length)])
            .Where(r => r[4] != 0).ToList();
        // The relative id is the id minus the smallest id among the descriptors with the same raw group id (sif's minIDs).
        var minIds = new Dictionary<uint, uint>();
        foreach (var r in raws)
        {
            var (group, id) = (BinaryPrimitives.ReadUInt32LittleEndian(r.AsSpan(9)), BinaryPrimitives.ReadUInt32LittleEndian(r.AsSpan(5)));
            if (!minIds.TryGetValue(group, out var min) || id < min) minIds[group] = id;
        }
        var objects = raws.Select(r => new SifObject(r, unchecked(BinaryPrimitives.ReadUInt32LittleEndian(r.AsSpan(5)) - minIds[BinaryPrimitives.ReadUInt32LittleEndian(r.AsSpan(9))]))).ToList();
        return new SifLayout([.. header[..45], .. header[48..64]], objects, length);
    }

    /// <summary>Whether an object's bytes lie inside the file, without overflowing.</summary>
    public bool Contains(SifObject o) => o.Offset >= 0 && o.Size >= 0 && o.Offset <= FileLength && o.Size <= FileLength - o.Offset;
}
