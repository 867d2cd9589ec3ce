using System.Buffers;
using System.Security.Cryptography;

namespace Registry.Core.Storage;

/// <summary>
/// Blobs under <c>{data}/blobs/sha256/ab/abcd…</c>, temp files under <c>{data}/tmp</c>, blobs that failed verification
/// under <c>{data}/quarantine</c> (kept for a look, never served).
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    private const int BufferSize = 1 << 20;      // reads of whole files (hashing)
    private const int WriteBufferSize = 1 << 16; // uploads, see WriteAsync
    private const long WritebackChunk = 16 << 20;
    private readonly string _blobRoot;
    private readonly string _tempRoot;
    private readonly string _quarantineRoot;
    private readonly bool _directWrites;

    public FileSystemBlobStore(string dataRoot)
    {
        _blobRoot = Path.Combine(dataRoot, "blobs", "sha256");
        _tempRoot = Path.Combine(dataRoot, "tmp");
        _quarantineRoot = Path.Combine(dataRoot, "quarantine");
        Directory.CreateDirectory(_blobRoot);
        Directory.CreateDirectory(_tempRoot);
        _directWrites = DirectUpload.WorksIn(_tempRoot);
    }

    public string NewTempPath(string hint = "upload") => Path.Combine(_tempRoot, $"{hint}-{Ids.New()}.tmp");

    public async Task<StagedBytes> WriteAsync(Stream source, string tempPath, long offset, long maxBytes, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var length = await WriteAsync(source, tempPath, offset, maxBytes, hash, null, ct);
        return new StagedBytes(tempPath, length, new Digest(Convert.ToHexStringLower(hash.GetHashAndReset())));
    }

    /// <summary>
    /// Around the page cache where it can (<see cref="DirectUpload"/>: a write starting on a 4 KiB boundary, a file system
    /// that takes direct writes). Otherwise through it:
    /// one pooled 64 KiB buffer, filled from the request, hashed and written on the same thread while its bytes are still in
    /// the core's cache. Measured on the bench machine (1 GiB through the multipart flow): 1 MiB buffers handed to another
    /// thread to hash and write took 1.5–1.8× the CPU and wall time of this; 16 KiB buffers cost more syscalls. The write is
    /// a plain pwrite into the page cache; no fsync here: <see cref="CommitAsync"/> syncs once before the rename that makes
    /// the bytes a blob, and every 16 MiB written are handed to the disk right away (<see cref="EarlyWriteback"/>) so that
    /// sync has little left to do.
    /// </summary>
    public async Task<long> WriteAsync(Stream source, string tempPath, long offset, long maxBytes, IncrementalHash? hash, IncrementalHash? alsoInto, CancellationToken ct)
    {
        EnsureUnder(_tempRoot, tempPath);
        using (var direct = _directWrites ? DirectUpload.TryOpen(tempPath, offset) : null)
            if (direct is not null) return await DirectUpload.CopyAsync(source, direct, tempPath, offset, maxBytes, hash, alsoInto, ct);

        var buffer = ArrayPool<byte>.Shared.Rent(WriteBufferSize);
        long total = 0;
        try
        {
            using var file = File.OpenHandle(tempPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
            int read;
            long flushed = 0;
            while ((read = await UploadSource.FillAsync(source, buffer, 0, WriteBufferSize, hash, alsoInto, ct)) > 0)
            {
                total += read;
                if (total > maxBytes) throw new BlobTooLargeException(maxBytes);
                RandomAccess.Write(file, buffer.AsSpan(0, read), offset + total - read);
                if (total - flushed >= WritebackChunk)
                {
                    EarlyWriteback.Start(file, offset + flushed, total - flushed);
                    flushed = total;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return total;
    }

    public async Task<StagedBytes> HashAsync(string tempPath, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        return await HashAsync(tempPath, 0, hash, ct);
    }

    public async Task<StagedBytes> HashAsync(string tempPath, long fromOffset, IncrementalHash hash, CancellationToken ct)
    {
        EnsureUnder(_tempRoot, tempPath);
        await using var file = new FileStream(tempPath, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        file.Position = fromOffset;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, BufferSize), ct)) > 0) hash.AppendData(buffer, 0, read);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new StagedBytes(tempPath, file.Length, new Digest(Convert.ToHexStringLower(hash.GetHashAndReset())));
    }

    public void SyncTemp(string tempPath)
    {
        EnsureUnder(_tempRoot, tempPath);
        using var file = File.OpenHandle(tempPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        RandomAccess.FlushToDisk(file);
    }

    /// <summary>
    /// One fsync of the whole file, then the rename: a blob is visible only once its bytes are on disk. Bytes just
    /// verified replace a stored copy of the same digest (one rename, nothing stored twice): a stored copy is never
    /// trusted over them, so a damaged blob heals when its image is pushed again. Blobs are read-only once stored.
    /// </summary>
    public Task CommitAsync(string tempPath, Digest digest, CancellationToken ct)
    {
        EnsureUnder(_tempRoot, tempPath);
        var target = PathOf(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        using (var file = File.OpenHandle(tempPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
            RandomAccess.FlushToDisk(file);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tempPath, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(tempPath, target, overwrite: true);
        return Task.CompletedTask;
    }

    public void Quarantine(Digest digest)
    {
        var path = PathOf(digest);
        Directory.CreateDirectory(_quarantineRoot);
        var kept = Path.Combine(_quarantineRoot, $"{digest.Hex}.{DateTime.UtcNow:yyyyMMddHHmmss}.{Ids.New()}");
        try { File.Move(path, kept); } catch (FileNotFoundException) { }
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

    public IEnumerable<(string Path, long Length, DateTime WrittenAt)> ListTemp()
    {
        foreach (var file in new DirectoryInfo(_tempRoot).EnumerateFiles())
            yield return (file.FullName, file.Length, file.LastWriteTimeUtc);
    }

    public DateTime WrittenAt(Digest digest) => File.GetLastWriteTimeUtc(PathOf(digest));

    public int CleanTemp(IReadOnlyCollection<string>? keep = null)
    {
        var kept = (keep ?? []).Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(_tempRoot))
        {
            if (kept.Contains(Path.GetFullPath(file))) continue;
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
