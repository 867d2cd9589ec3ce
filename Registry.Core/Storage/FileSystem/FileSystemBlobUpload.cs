using System.Buffers;
using System.Security.Cryptography;

namespace Registry.Core.Storage.FileSystem;

/// <summary>A staged upload: a file under <c>{data}/tmp</c>, on the blobs' volume so a commit is a rename.</summary>
internal sealed class FileSystemBlobUpload(FileSystemBlobStore store, string id, string path, RunningHashes hashes, bool directWrites)
    : BlobUpload
{
    private const int ReadBufferSize = 1 << 20;

    public override string Id => id;

    public override bool Exists => File.Exists(path);

    public override long Length => File.Exists(path) ? new FileInfo(path).Length : 0;

    public override async Task<BlobWrite> WriteAsync(Stream source, long offset, long maxBytes, bool hashOwn, CancellationToken ct)
    {
        var feed = hashes.Begin(id, offset, maxBytes);
        using var own = hashOwn || feed.Hash is null ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        long written = 0;
        var completed = false;
        Digest? upTo;
        try
        {
            written = await CopyAsync(source, offset, maxBytes, own, feed.Hash, ct);
            completed = true;
        }
        finally
        {
            upTo = hashes.End(id, feed, written, completed);
        }
        return new BlobWrite(written, own is null ? null : Hex(own.GetHashAndReset()), upTo);
    }

    /// <summary>Around the page cache where it can (<see cref="DirectUpload"/>), else through it (<see cref="BufferedWrite"/>).</summary>
    private async Task<long> CopyAsync(Stream source, long offset, long maxBytes, IncrementalHash? own, IncrementalHash? fed, CancellationToken ct)
    {
        using (var direct = directWrites ? DirectUpload.TryOpen(path, offset) : null)
            if (direct is not null) return await DirectUpload.CopyAsync(source, direct, path, offset, maxBytes, own, fed, ct);
        return await BufferedWrite.CopyAsync(source, path, offset, maxBytes, own, fed, ct);
    }

    public override void Flush()
    {
        using var file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        RandomAccess.FlushToDisk(file);
    }

    public override async Task<StagedBytes> DigestAsync(CancellationToken ct)
    {
        var (hash, covered, generation) = hashes.Resume(id);
        using (hash)
        {
            await using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite, 0,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
            if (covered > file.Length) throw new InvalidOperationException($"upload {id} is shorter than the bytes hashed");
            file.Position = covered;
            var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
            try
            {
                int read;
                while ((read = await file.ReadAsync(buffer.AsMemory(0, ReadBufferSize), ct)) > 0) hash.AppendData(buffer, 0, read);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            hashes.Record(id, hash, file.Length, generation); // a second digest (the commit's) reads nothing
            return new StagedBytes(file.Length, Hex(hash.GetHashAndReset()));
        }
    }

    public override Stream OpenRead() =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.Asynchronous | FileOptions.RandomAccess);

    /// <summary>
    /// One fsync of the whole file, then the rename: a blob is visible only once its bytes are on disk. Verified bytes
    /// replace a stored copy of the same digest (one rename, nothing stored twice): a stored copy is never trusted over
    /// them, so a damaged blob heals when its image is pushed again. Blobs are read-only once stored.
    /// </summary>
    public override async Task<BlobCommit> CommitAsync(Digest expected, CancellationToken ct)
    {
        var staged = await DigestAsync(ct);
        if (staged.Digest != expected) return BlobCommit.DigestMismatch;
        if (hashes.Writing(id)) throw new InvalidOperationException($"upload {id} is being written while it is committed");
        Flush();
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var target = store.PathOf(expected);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var existed = File.Exists(target);
        File.Move(path, target, overwrite: true);
        hashes.Forget(id);
        return existed ? BlobCommit.AlreadyPresent : BlobCommit.Stored;
    }

    public override BlobUpload Renamed()
    {
        var next = (FileSystemBlobUpload)store.BeginUpload(id.Contains('-') ? id[..id.IndexOf('-')] : "upload");
        hashes.Forget(id);
        try { File.Move(path, next.StagedPath); }
        catch (FileNotFoundException) { } // nothing staged yet
        return next;
    }

    private string StagedPath => path;

    public override void ForgetRunningHash() => hashes.Forget(id);

    public override void Discard()
    {
        hashes.Forget(id);
        try { File.Delete(path); } catch (IOException) { /* still open by a dying request; the janitor gets it */ }
    }

    private static Digest Hex(byte[] hash) => new(Convert.ToHexStringLower(hash));
}
