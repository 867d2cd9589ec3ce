using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>
/// A blob already in the store, handed to <see cref="Images.ImagePublisher"/> as the staged upload it was: on <c>/v2/</c>
/// the SIF arrives as a blob (verified and committed against its digest by <see cref="OciUploads"/>) before the manifest
/// that makes it an image. Publishing it reads the SIF header and signatures from the stored bytes, checks the quota and
/// marks the image uploaded, as for every other push; committing is a no-op and discarding never touches the stored blob
/// (gc removes it once no image uses it).
/// </summary>
public sealed class StoredBlob(IBlobStore blobs, Digest digest, long length) : BlobUpload
{
    public override string Id => "stored-" + digest.Hex;
    public override long Length => length;

    public override Task<BlobWrite> WriteAsync(Stream source, long offset, long maxBytes, bool hashOwn, CancellationToken ct) =>
        throw new NotSupportedException("a stored blob is not written to");

    public override void Flush() { }

    public override Task<StagedBytes> DigestAsync(CancellationToken ct) => Task.FromResult(new StagedBytes(length, digest));

    public override Stream OpenRead() => blobs.OpenRead(digest);

    public override Task<BlobCommit> CommitAsync(Digest expected, CancellationToken ct) =>
        Task.FromResult(expected == digest ? BlobCommit.AlreadyPresent : BlobCommit.DigestMismatch);

    public override void Discard() { }
}
