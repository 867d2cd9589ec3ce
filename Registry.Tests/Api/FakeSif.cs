using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Registry.Tests.Api;

/// <summary>
/// Bytes that carry a SIF global header (magic + arch code at 45–47) and an empty descriptor table, followed by random
/// data: a SIF as far as the server can tell (it refuses anything else), enough for its arch detection.
/// </summary>
public static class FakeSif
{
    public static byte[] Make(int size, string archCode = "02")
    {
        var bytes = RandomNumberGenerator.GetBytes(Math.Max(size, 129));
        Encoding.ASCII.GetBytes("#!/usr/bin/env run-singularity\n").CopyTo(bytes, 0);
        Encoding.ASCII.GetBytes("SIF_MAGIC\0").CopyTo(bytes, 32);
        Encoding.ASCII.GetBytes("01\0").CopyTo(bytes, 42);
        Encoding.ASCII.GetBytes(archCode + "\0").CopyTo(bytes, 45);
        const int table = 128;
        var tableSize = Math.Min(585, bytes.Length - table); // one descriptor, unused (none in a file too small for one)
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(96), table);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(104), Math.Max(tableSize, 1));
        bytes.AsSpan(table, Math.Max(tableSize, 0)).Clear();
        return bytes;
    }
}
