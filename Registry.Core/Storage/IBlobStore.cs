using System.Security.Cryptography;

namespace Registry.Core.Storage;

/// <summary>Result of streaming bytes into a temporary file while hashing them.</summary>
public sealed record StagedBytes(string TempPath, long Length, Digest Digest);

/// <summary>
/// Content-addressed blob storage. Bytes always land in a temp file first and become a blob only through
/// <see cref="CommitAsync"/>, an atomic rename, so a reader never sees a half-written blob.
/// </summary>
public interface IBlobStore
{
    /// <summary>A fresh temp file path on the same volume as the blobs (so the commit is a rename).</summary>
    string NewTempPath(string hint = "upload");

    /// <summary>Streams <paramref name="source"/> into <paramref name="tempPath"/> at <paramref name="offset"/>, hashing as it writes.
    /// Stops with <see cref="BlobTooLargeException"/> once more than <paramref name="maxBytes"/> arrive.</summary>
    Task<StagedBytes> WriteAsync(Stream source, string tempPath, long offset, long maxBytes, CancellationToken ct);

    /// <summary>As above, feeding every byte to the hashes given (none, the part's own, the running hash of a multipart
    /// upload, or both); answers how many bytes were written.</summary>
    Task<long> WriteAsync(Stream source, string tempPath, long offset, long maxBytes, IncrementalHash? hash, IncrementalHash? alsoInto, CancellationToken ct);

    /// <summary>Puts a temp file's bytes on disk (fsync), for uploads that resume after a crash from the length they recorded.</summary>
    void SyncTemp(string tempPath);

    /// <summary>Hashes a whole temp file (used after a multipart upload is assembled).</summary>
    Task<StagedBytes> HashAsync(string tempPath, CancellationToken ct);

    /// <summary>Continues <paramref name="hash"/> from <paramref name="fromOffset"/> to the end of the temp file and finishes it.</summary>
    Task<StagedBytes> HashAsync(string tempPath, long fromOffset, IncrementalHash hash, CancellationToken ct);

    /// <summary>Moves a verified temp file into the store under its digest (replacing a stored copy); the blob is read-only from then on.</summary>
    Task CommitAsync(string tempPath, Digest digest, CancellationToken ct);

    bool Exists(Digest digest);

    /// <summary>Absolute path of a stored blob, for zero-copy sending.</summary>
    string PathOf(Digest digest);

    Stream OpenRead(Digest digest);

    void Delete(Digest digest);

    /// <summary>Moves a blob that no longer hashes to its name out of the store, where nothing serves it.</summary>
    void Quarantine(Digest digest);

    /// <summary>When a blob's bytes were last written (its commit): gc leaves young unreferenced blobs to the publish that made them.</summary>
    DateTime WrittenAt(Digest digest);

    /// <summary>Every temp file with its size and last write, for gc.</summary>
    IEnumerable<(string Path, long Length, DateTime WrittenAt)> ListTemp();

    IEnumerable<(Digest Digest, long Length)> List();

    void DeleteTemp(string tempPath);

    /// <summary>Bytes free on the volume that holds temp files and blobs.</summary>
    long AvailableBytes();

    /// <summary>Removes every temp file but those in <paramref name="keep"/> (called at start-up: uploads interrupted by a crash).</summary>
    int CleanTemp(IReadOnlyCollection<string>? keep = null);
}

public sealed class BlobTooLargeException(long limit) : IOException($"more than {limit} bytes sent")
{
    public long Limit { get; } = limit;
}

/// <summary>The source stream failed while being written to a temp file (client disconnected or sent a malformed body).</summary>
public sealed class SourceReadException(IOException inner) : IOException($"reading the upload failed: {inner.Message}", inner);
