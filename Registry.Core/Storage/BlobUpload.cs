namespace Registry.Core.Storage;

/// <summary>What one write stored: its length, and the digests it could give without reading anything back.</summary>
/// <param name="Own">SHA-256 of these bytes alone: when asked for, or when the write could not continue the upload's running hash.</param>
/// <param name="UpTo">SHA-256 of the upload's first offset + length bytes, when the write continued its running hash.</param>
public sealed record BlobWrite(long Length, Digest? Own, Digest? UpTo);

/// <summary>The bytes of a staged upload: how many, and their SHA-256.</summary>
public sealed record StagedBytes(long Length, Digest Digest);

public enum BlobCommit { Stored, AlreadyPresent, DigestMismatch }

/// <summary>
/// One staged upload: bytes written at offsets (one request per part or chunk), hashed as they arrive, and committed
/// as a blob only against the digest they must have. The handle keeps a running SHA-256 of the upload's leading bytes
/// across requests, so finishing a multi-GB upload reads back only what arrived out of order (usually nothing); bytes
/// written again over what it already hashed make finishing hash the whole upload instead.
/// </summary>
public abstract class BlobUpload
{
    /// <summary>The name to record (in a session row) and resume with.</summary>
    public abstract string Id { get; }

    /// <summary>Whether the staged bytes are there at all (gone after a commit, a discard, or the janitor's sweep).</summary>
    public virtual bool Exists => true;

    /// <summary>Bytes staged so far (the file's length; a gap written past is counted).</summary>
    public abstract long Length { get; }

    /// <summary>
    /// Writes <paramref name="source"/> at <paramref name="offset"/>; more than <paramref name="maxBytes"/> throws
    /// <see cref="BlobTooLargeException"/>, a failing source <see cref="SourceReadException"/> (what arrived stays).
    /// </summary>
    public abstract Task<BlobWrite> WriteAsync(Stream source, long offset, long maxBytes, bool hashOwn, CancellationToken ct);

    /// <summary>Puts the staged bytes on disk (fsync): for uploads that resume after a crash from a length they recorded.</summary>
    public abstract void Flush();

    /// <summary>The SHA-256 of everything staged, reading only what the running hash lacks. No write may be in progress.</summary>
    public abstract Task<StagedBytes> DigestAsync(CancellationToken ct);

    /// <summary>Reads the staged bytes (the SIF header, signatures) before they are committed.</summary>
    public abstract Stream OpenRead();

    /// <summary>
    /// Makes the staged bytes the blob <paramref name="expected"/> if they hash to it (on disk first, then one atomic
    /// rename; they replace a stored copy, which heals a damaged one); the upload is gone after a stored result.
    /// </summary>
    public abstract Task<BlobCommit> CommitAsync(Digest expected, CancellationToken ct);

    /// <summary>
    /// Forgets the running hash: another process (a node sharing the folder) may have written bytes it covers since, so
    /// the next <see cref="DigestAsync"/> reads everything. Nothing to forget for an upload kept without one.
    /// </summary>
    public virtual void ForgetRunningHash() { }

    /// <summary>Drops the staged bytes.</summary>
    public abstract void Discard();

    /// <summary>
    /// The same staged bytes under a new id (one rename), before bytes already written are written again: whatever running
    /// hash any process (another node) keeps of the old id is never used again.
    /// </summary>
    public virtual BlobUpload Renamed() => throw new NotSupportedException($"{GetType().Name} is not renamed");
}
