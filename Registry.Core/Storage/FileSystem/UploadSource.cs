using System.Security.Cryptography;

namespace Registry.Core.Storage.FileSystem;

/// <summary>Reading an upload's request body into a buffer, for both write paths of <see cref="FileSystemBlobStore"/>.</summary>
internal static class UploadSource
{
    private const int HashStep = 1 << 16;

    /// <summary>
    /// Reads until <paramref name="size"/> bytes from <paramref name="start"/> are filled or the body ends, hashing every
    /// 64 KiB while those bytes are still in the core's cache. A failing body (client gone, malformed chunked encoding) is
    /// the client's problem, not the disk's: <see cref="SourceReadException"/>.
    /// </summary>
    public static async Task<int> FillAsync(Stream source, byte[] buffer, int start, int size, IncrementalHash? hash, IncrementalHash? alsoInto, CancellationToken ct)
    {
        int filled = 0, hashed = 0;
        try
        {
            while (filled < size)
            {
                var read = await source.ReadAsync(buffer.AsMemory(start + filled, Math.Min(HashStep, size - filled)), ct);
                if (read == 0) break;
                filled += read;
                if (filled - hashed < HashStep) continue;
                Hash(buffer, start + hashed, filled - hashed, hash, alsoInto);
                hashed = filled;
            }
        }
        catch (IOException e)
        {
            throw new SourceReadException(e);
        }
        Hash(buffer, start + hashed, filled - hashed, hash, alsoInto);
        return filled;
    }

    private static void Hash(byte[] buffer, int offset, int count, IncrementalHash? hash, IncrementalHash? alsoInto)
    {
        if (count == 0) return;
        hash?.AppendData(buffer, offset, count);
        alsoInto?.AppendData(buffer, offset, count);
    }
}
