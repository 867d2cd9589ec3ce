using System.Buffers;
using System.Security.Cryptography;

namespace Registry.Core.Storage;

/// <summary>Blobs under <c>{data}/blobs/sha256/ab/abcd…</c>, temp files under <c>{data}/tmp</c>.</summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    private const int BufferSize = 1 << 20;
    private readonly string _blobRoot;
    private readonly string _tempRoot;

    public FileSystemBlobStore(string dataRoot)
    {
        _blobRoot = Path.Combine(dataRoot, "blobs", "sha256");
        _tempRoot = Path.Combine(dataRoot, "tmp");
        Directory.CreateDirectory(_blobRoot);
        Directory.CreateDirectory(_tempRoot);
    }

    public string NewTempPath(string hint = "upload") => Path.Combine(_tempRoot, $"{hint}-{Ids.New()}.tmp");

    public async Task<StagedBytes> WriteAsync(Stream source, string tempPath, long offset, long maxBytes, CancellationToken ct)
    {
        EnsureUnder(_tempRoot, tempPath);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long total = 0;
        try
        {
            await using var file = new FileStream(tempPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.Asynchronous);
            file.Position = offset;
            int read;
            while ((read = await ReadSourceAsync(source, buffer, ct)) > 0)
            {
                total += read;
                if (total > maxBytes) throw new BlobTooLargeException(maxBytes);
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new StagedBytes(tempPath, total, new Digest(Convert.ToHexStringLower(hash.GetHashAndReset())));
    }

    // A failing request body (client gone, malformed chunked encoding) is the client's problem, not the disk's.
    private static async Task<int> ReadSourceAsync(Stream source, byte[] buffer, CancellationToken ct)
    {
        try
        {
            return await source.ReadAsync(buffer.AsMemory(0, BufferSize), ct);
        }
        catch (IOException e)
        {
            throw new SourceReadException(e);
        }
    }

    public async Task<StagedBytes> HashAsync(string tempPath, CancellationToken ct)
    {
        EnsureUnder(_tempRoot, tempPath);
        await using var file = new FileStream(tempPath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var hex = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
        return new StagedBytes(tempPath, file.Length, new Digest(hex));
    }

    public Task CommitAsync(string tempPath, Digest digest, CancellationToken ct)
    {
        EnsureUnder(_tempRoot, tempPath);
        var target = PathOf(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target)) File.Delete(tempPath);
        else File.Move(tempPath, target, overwrite: false);
        return Task.CompletedTask;
    }

    public bool Exists(Digest digest) => File.Exists(PathOf(digest));

    public string PathOf(Digest digest)
    {
        // Digest guarantees 64 hex digits; the check below is the last line of defence against a path escape.
        if (!Digest.TryParseHex(digest.Hex, out _)) throw new ArgumentException("not a sha256 digest", nameof(digest));
        var path = Path.Combine(_blobRoot, digest.Hex[..2], digest.Hex);
        EnsureUnder(_blobRoot, path);
        return path;
    }

    public Stream OpenRead(Digest digest) =>
        new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public void Delete(Digest digest)
    {
        var path = PathOf(digest);
        if (File.Exists(path)) File.Delete(path);
    }

    public IEnumerable<(Digest Digest, long Length)> List()
    {
        foreach (var file in Directory.EnumerateFiles(_blobRoot, "*", SearchOption.AllDirectories))
            if (Digest.TryParseHex(Path.GetFileName(file), out var digest))
                yield return (digest, new FileInfo(file).Length);
    }

    public void DeleteTemp(string tempPath)
    {
        EnsureUnder(_tempRoot, tempPath);
        try { File.Delete(tempPath); } catch (IOException) { /* still open by a dying request; CleanTemp gets it */ }
    }

    public long AvailableBytes() => new DriveInfo(_tempRoot).AvailableFreeSpace; // statvfs of the folder's volume on Unix

    public int CleanTemp()
    {
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(_tempRoot))
        {
            try { File.Delete(file); count++; } catch (IOException) { }
        }
        return count;
    }

    private static void EnsureUnder(string root, string path)
    {
        var full = Path.GetFullPath(path);
        if (!full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new UnauthorizedAccessException($"path escapes the data folder: {path}");
    }
}
