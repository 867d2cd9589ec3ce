using System.Buffers.Binary;
using System.Text;

namespace Registry.Tests.Components;

/// <summary>Minimal SIF files built in memory (header, descriptor table, objects) for component tests that need no siftool.</summary>
public static class SifBytes
{
    public static byte[] Create(string arch = "arm64", string? deffile = null, string? labelsJson = null)
    {
        var objects = new List<(int Type, byte[] Data)>();
        if (deffile is not null) objects.Add((0x4001, Encoding.UTF8.GetBytes(deffile)));
        if (labelsJson is not null) objects.Add((0x4003, Encoding.UTF8.GetBytes(labelsJson)));
        objects.Add((0x4004, new byte[64]));
        const int header = 128, entry = 585;
        var tableSize = 4 * entry;
        var dataOffset = header + tableSize;
        var bytes = new byte[dataOffset + objects.Sum(o => o.Data.Length)];
        "SIF_MAGIC"u8.CopyTo(bytes.AsSpan(32));
        "02"u8.CopyTo(bytes.AsSpan(42));
        var code = Array.IndexOf(new[] { "", "386", "amd64", "arm", "arm64" }, arch);
        Encoding.ASCII.GetBytes(code.ToString("00")).CopyTo(bytes.AsSpan(45));
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(96), header);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(104), tableSize);
        var offset = dataOffset;
        for (var i = 0; i < objects.Count; i++)
        {
            var d = bytes.AsSpan(header + i * entry, entry);
            BinaryPrimitives.WriteInt32LittleEndian(d, objects[i].Type);
            d[4] = 1;
            BinaryPrimitives.WriteInt64LittleEndian(d[17..], offset);
            BinaryPrimitives.WriteInt64LittleEndian(d[25..], objects[i].Data.Length);
            objects[i].Data.CopyTo(bytes.AsSpan(offset));
            offset += objects[i].Data.Length;
        }
        return bytes;
    }
}
