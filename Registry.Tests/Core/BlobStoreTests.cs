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

    [Theory]
    [InlineData(0)]    // whole 1 MiB slices written around the page cache, the unaligned tail through it
    [InlineData(4097)] // an unaligned offset: through the page cache only
    public async Task Parts_land_at_their_offsets_hashed_as_they_arrive_whichever_way_they_are_written(int baseOffset)
    {
        var store = new FileSystemBlobStore(_root);
        var temp = store.NewTempPath();
        var first = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);       // two full slices
        var second = RandomNumberGenerator.GetBytes(1024 * 1024 + 123_457); // a slice, then a tail that isn't whole 4 KiB blocks
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var own = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // The second part arrives first, in odd-sized reads like a slow socket's.
        (await store.WriteAsync(new TrickleStream(second, 7_777), temp, baseOffset + first.Length, second.Length, own, null, default))
            .ShouldBe(second.Length);
        (await store.WriteAsync(new TrickleStream(first, 65_536 + 3), temp, baseOffset, first.Length, null, whole, default))
            .ShouldBe(first.Length);

        Convert.ToHexStringLower(own.GetHashAndReset()).ShouldBe(Convert.ToHexStringLower(SHA256.HashData(second)));
        Convert.ToHexStringLower(whole.GetHashAndReset()).ShouldBe(Convert.ToHexStringLower(SHA256.HashData(first)));
        var onDisk = await File.ReadAllBytesAsync(temp);
        onDisk.Length.ShouldBe(baseOffset + first.Length + second.Length);
        onDisk.AsSpan(baseOffset, first.Length).SequenceEqual(first).ShouldBeTrue();
        onDisk.AsSpan(baseOffset + first.Length).SequenceEqual(second).ShouldBeTrue();
    }

    [Fact]
    public void Direct_writes_are_used_only_from_a_4_KiB_boundary()
    {
        var temp = new FileSystemBlobStore(_root).NewTempPath();
        DirectUpload.WorksIn(Path.GetDirectoryName(temp)!).ShouldBe(OperatingSystem.IsLinux());
        Directory.EnumerateFiles(Path.GetDirectoryName(temp)!).ShouldBeEmpty(); // the probe cleans up after itself
        using (var aligned = DirectUpload.TryOpen(temp, 8192)) (aligned is not null).ShouldBe(OperatingSystem.IsLinux()); // ext4 and tmpfs accept O_DIRECT
        DirectUpload.TryOpen(temp, 4097).ShouldBeNull();
    }

    [Fact]
    public async Task A_body_that_breaks_off_fails_as_the_clients_fault_and_keeps_what_arrived()
    {
        var store = new FileSystemBlobStore(_root);
        var temp = store.NewTempPath();
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);

        await Should.ThrowAsync<SourceReadException>(() =>
            store.WriteAsync(new TrickleStream(bytes, 100_000, failAfter: 2 * 1024 * 1024 + 5), temp, 0, bytes.Length, CancellationToken.None));

        var kept = await File.ReadAllBytesAsync(temp);
        kept.Length.ShouldBeLessThanOrEqualTo(2 * 1024 * 1024);
        kept.AsSpan().SequenceEqual(bytes.AsSpan(0, kept.Length)).ShouldBeTrue();
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

    /// <summary>Hands out at most <c>step</c> bytes per read; optionally breaks off like a dropped connection.</summary>
    private sealed class TrickleStream(byte[] bytes, int step, long failAfter = long.MaxValue) : MemoryStream(bytes, writable: false)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (Position >= failAfter) throw new IOException("connection reset");
            await Task.Yield();
            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, step)], ct);
        }
    }
}
