using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// SIF images built in memory, for tests that need no <c>siftool</c> (real files made by siftool: <see cref="SifFiles"/>).
/// Every one carries the SIF global header (magic, version, arch code at 45–47, the descriptor table's place).
/// </summary>
public static class SifBuilder
{
    private const int HeaderSize = 128, DescriptorSize = 585;
    private static readonly string[] ArchNames = ["", "386", "amd64", "arm", "arm64"];

    /// <summary>
    /// <paramref name="size"/> (at least 129) random bytes under a SIF header and an empty descriptor table: a SIF as far
    /// as the server can tell (it refuses anything else), enough for its arch detection; random, so every call is a new image.
    /// </summary>
    public static byte[] Bytes(int size, string archCode = "02")
    {
        var bytes = RandomNumberGenerator.GetBytes(Math.Max(size, HeaderSize + 1));
        Encoding.ASCII.GetBytes("#!/usr/bin/env run-singularity\n").CopyTo(bytes, 0);
        var tableSize = Math.Min(DescriptorSize, bytes.Length - HeaderSize); // one descriptor, unused (none in a file too small for one)
        WriteHeader(bytes, "01\0", archCode + "\0", Math.Max(tableSize, 1));
        bytes.AsSpan(HeaderSize, Math.Max(tableSize, 0)).Clear();
        return bytes;
    }

    /// <summary>A SIF with real descriptors: the definition file and labels when given, then a 64-byte partition.</summary>
    public static byte[] WithObjects(string arch = "arm64", string? deffile = null, string? labelsJson = null)
    {
        var objects = new List<(int Type, byte[] Data)>();
        if (deffile is not null) objects.Add((0x4001, Encoding.UTF8.GetBytes(deffile)));
        if (labelsJson is not null) objects.Add((0x4003, Encoding.UTF8.GetBytes(labelsJson)));
        objects.Add((0x4004, new byte[64]));
        const int tableSize = 4 * DescriptorSize;
        var offset = HeaderSize + tableSize;
        var bytes = new byte[offset + objects.Sum(o => o.Data.Length)];
        WriteHeader(bytes, "02", Array.IndexOf(ArchNames, arch).ToString("00"), tableSize);
        for (var i = 0; i < objects.Count; i++)
        {
            var d = bytes.AsSpan(HeaderSize + i * DescriptorSize, DescriptorSize);
            BinaryPrimitives.WriteInt32LittleEndian(d, objects[i].Type);
            d[4] = 1;
            BinaryPrimitives.WriteInt64LittleEndian(d[17..], offset);
            BinaryPrimitives.WriteInt64LittleEndian(d[25..], objects[i].Data.Length);
            objects[i].Data.CopyTo(bytes.AsSpan(offset));
            offset += objects[i].Data.Length;
        }
        return bytes;
    }

    /// <summary>A 4 KiB <see cref="Bytes"/> header, then zeros, generated as it is read: an image of any size that never exists in memory.</summary>
    public static Stream Generated(long length) => new GeneratedStream(length);

    /// <summary>The SHA-256 (lowercase hex) of <see cref="Generated"/> of this length.</summary>
    public static string GeneratedSha256Hex(long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var stream = Generated(length);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer.AsSpan(0, read));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void WriteHeader(byte[] bytes, string version, string archCode, long tableSize)
    {
        "SIF_MAGIC\0"u8.CopyTo(bytes.AsSpan(32));
        Encoding.ASCII.GetBytes(version).CopyTo(bytes, 42);
        Encoding.ASCII.GetBytes(archCode).CopyTo(bytes, 45);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(96), HeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(104), tableSize);
    }

    private sealed class GeneratedStream(long length) : Stream
    {
        private static readonly byte[] Header = Bytes(4096);
        private long _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            if (n <= 0) return 0;
            var slice = buffer[..n];
            slice.Clear();
            if (_position < Header.Length)
                Header.AsSpan((int)_position, (int)Math.Min(Header.Length - _position, n)).CopyTo(slice);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => ValueTask.FromResult(Read(buffer.Span));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => Task.FromResult(Read(buffer, offset, count));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
