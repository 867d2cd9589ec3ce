using Registry.Core.Storage;

namespace Registry.Tests.Infrastructure;

public static class BlobStoreTesting
{
    /// <summary>Stores <paramref name="bytes"/> as a blob the way every upload does (staged, hashed, committed); answers its digest.</summary>
    public static async Task<Digest> StoreAsync(this IBlobStore store, byte[] bytes)
    {
        var staged = store.BeginUpload();
        var written = await staged.WriteAsync(new MemoryStream(bytes), 0, bytes.Length, hashOwn: false, CancellationToken.None);
        var digest = written.UpTo!.Value;
        (await staged.CommitAsync(digest, CancellationToken.None)).ShouldBe(BlobCommit.Stored);
        return digest;
    }

    /// <summary>Where a staged upload's bytes are on disk (tests that cut a file short, as a power cut would).</summary>
    public static string StagedPath(string dataPath, string stagingId) => Path.Combine(dataPath, "tmp", Path.GetFileName(stagingId));
}
