namespace Registry.Core.Storage;

/// <summary>
/// Content-addressed blob storage. This seam is the read side plus where writes start: bytes are written only through a
/// <see cref="BlobUpload"/>, which stages them, hashes them as they arrive and makes them a blob by an atomic commit
/// against the digest they must have, so a reader never sees a half-written or unverified blob.
/// </summary>
public interface IBlobStore
{
    /// <summary>Stages a new upload; <paramref name="kind"/> only names it (for an admin looking at the folder).</summary>
    BlobUpload BeginUpload(string kind = "upload");

    /// <summary>The staged upload <paramref name="uploadId"/> (as recorded by its session), to write more, digest, commit or discard.</summary>
    BlobUpload ResumeUpload(string uploadId);

    /// <summary>Every staged upload with its size and last write, for the janitor.</summary>
    IEnumerable<StagedUpload> ListUploads();

    bool Exists(Digest digest);

    /// <summary>Absolute path of a stored blob, for zero-copy sending.</summary>
    string PathOf(Digest digest);

    Stream OpenRead(Digest digest);

    void Delete(Digest digest);

    /// <summary>Moves a blob that no longer hashes to its name out of the store, where nothing serves it.</summary>
    void Quarantine(Digest digest);

    /// <summary>When a blob's bytes were last written (its commit): gc leaves young unreferenced blobs to the publish that made them.</summary>
    DateTime WrittenAt(Digest digest);

    IEnumerable<(Digest Digest, long Length)> List();

    /// <summary>Bytes free on the volume that holds staged uploads and blobs.</summary>
    long AvailableBytes();
}

/// <summary>A staged upload as the janitor sees it.</summary>
public sealed record StagedUpload(string Id, long Length, DateTime WrittenAt);

public sealed class BlobTooLargeException(long limit) : IOException($"more than {limit} bytes sent")
{
    public long Limit { get; } = limit;
}

/// <summary>The source stream failed while being written (client disconnected or sent a malformed body).</summary>
public sealed class SourceReadException(IOException inner) : IOException($"reading the upload failed: {inner.Message}", inner);
