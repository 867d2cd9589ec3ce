using System.Security.Cryptography;
using Registry.Core.Storage;
using Registry.Core.Storage.FileSystem;

namespace Registry.Tests.Core;

/// <summary>A fresh file-system blob store per test, and the hostile names tried against every method that takes one.</summary>
public abstract class BlobStoreTestBase : IDisposable
{
    protected string Root { get; } = Directory.CreateTempSubdirectory("blobs-").FullName;
    protected FileSystemBlobStore Store { get; }

    protected BlobStoreTestBase() => Store = new FileSystemBlobStore(Root);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    protected string TempFolder => Path.Combine(Root, "tmp");
    protected static Digest Sha(ReadOnlySpan<byte> bytes) => new(Convert.ToHexStringLower(SHA256.HashData(bytes)));

    /// <summary>Digests no caller should be able to turn into a path: traversal, absolute, NUL, wrong length, case or form.</summary>
    public static TheoryData<string> HostileDigests => new()
    {
        "../../etc/passwd",
        "/etc/passwd",
        "ab/../../../../x",
        "..",
        "",
        new string('a', 63),
        new string('a', 65),
        new string('A', 64),                  // the right length, upper case
        "sha256." + new string('a', 64),      // the Library API's spelling where the bare hex belongs
        new string('a', 32) + "\0" + new string('a', 31),
        new string('a', 5000),
    };

    /// <summary>Upload ids that are not a staged upload's name: traversal, absolute, NUL, too long, not ending in .tmp.</summary>
    public static TheoryData<string> HostileUploadIds => new()
    {
        "../../etc/passwd",
        "..",
        "",
        "upload-1.tmp/../../x.tmp",
        "/etc/shadow",
        "upload-1.tmp/",
        "upload-\0.tmp",
        "upload-1.tmp\0../../x",
        new string('a', 300) + ".tmp",
        "..\\..\\upload-1.tmp",
        "upload 1.tmp",
    };

    /// <summary>Hands out at most <c>step</c> bytes per read; optionally breaks off like a dropped connection.</summary>
    protected sealed class TrickleStream(byte[] bytes, int step, long failAfter = long.MaxValue) : MemoryStream(bytes, writable: false)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (Position >= failAfter) throw new IOException("connection reset");
            await Task.Yield();
            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, step)], ct);
        }
    }
}
