using System.Security.Cryptography;
using Registry.Core.Storage;

namespace Registry.Tests.Core;

public sealed class BlobStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("blobs-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Bytes_are_hashed_while_written_and_committed_under_their_digest()
    {
        var store = new FileSystemBlobStore(_root);
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 5);
        var temp = store.NewTempPath();
        var staged = await store.WriteAsync(new MemoryStream(bytes), temp, 0, bytes.Length, CancellationToken.None);

        staged.Length.ShouldBe(bytes.Length);
        staged.Digest.Hex.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(bytes)));
        store.Exists(staged.Digest).ShouldBeFalse();

        await store.CommitAsync(temp, staged.Digest, CancellationToken.None);
        store.Exists(staged.Digest).ShouldBeTrue();
        File.Exists(temp).ShouldBeFalse();
        (await File.ReadAllBytesAsync(store.PathOf(staged.Digest))).ShouldBe(bytes);
        store.List().Single().ShouldBe((staged.Digest, (long)bytes.Length));
    }

    [Fact]
    public async Task Too_many_bytes_stop_the_write()
    {
        var store = new FileSystemBlobStore(_root);
        await Should.ThrowAsync<BlobTooLargeException>(() =>
            store.WriteAsync(new MemoryStream(new byte[100]), store.NewTempPath(), 0, 99, CancellationToken.None));
    }

    [Fact]
    public void Paths_cannot_escape_the_data_folder()
    {
        var store = new FileSystemBlobStore(_root);
        Should.Throw<UnauthorizedAccessException>(() => store.DeleteTemp(Path.Combine(_root, "tmp", "..", "..", "etc-passwd")));
        Should.Throw<ArgumentException>(() => store.PathOf(new Digest("../../etc/passwd")));
        Digest.TryParse("sha256.../../../etc", out _).ShouldBeFalse();
    }

    [Fact]
    public void Start_up_cleaning_removes_interrupted_uploads()
    {
        var store = new FileSystemBlobStore(_root);
        File.WriteAllText(store.NewTempPath(), "half");
        store.CleanTemp().ShouldBe(1);
        Directory.EnumerateFiles(Path.Combine(_root, "tmp")).ShouldBeEmpty();
    }

    [Fact]
    public void Start_up_cleaning_keeps_the_temp_files_it_is_told_to()
    {
        var store = new FileSystemBlobStore(_root);
        var resumable = store.NewTempPath("browser");
        var interrupted = store.NewTempPath();
        File.WriteAllText(resumable, "first chunk");
        File.WriteAllText(interrupted, "half");

        store.CleanTemp([resumable]).ShouldBe(1);

        File.Exists(resumable).ShouldBeTrue();
        File.Exists(interrupted).ShouldBeFalse();
    }
}
