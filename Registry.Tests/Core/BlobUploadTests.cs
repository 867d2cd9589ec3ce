using System.Security.Cryptography;
using Registry.Core.Storage;
using Registry.Core.Storage.FileSystem;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Core;

/// <summary><see cref="BlobUpload"/>, one nested class per method; the digest a commit is asked for is also tried hostile.</summary>
public abstract class BlobUploadTests : BlobStoreTestBase
{
    public sealed class WriteAsync : BlobUploadTests
    {
        [Theory]
        [InlineData(0)]    // whole 1 MiB slices written around the page cache, the unaligned tail through it
        [InlineData(4097)] // an unaligned offset: through the page cache only
        public async Task Bytes_land_at_their_offsets_whichever_way_they_are_written(int baseOffset)
        {
            var upload = Store.BeginUpload();
            var first = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);       // two full slices
            var second = RandomNumberGenerator.GetBytes(1024 * 1024 + 123_457); // a slice, then a tail that isn't whole 4 KiB blocks

            // The second part arrives first, in odd-sized reads like a slow socket's: it can't continue the running hash.
            var late = await upload.WriteAsync(new TrickleStream(second, 7_777), baseOffset + first.Length, second.Length, false, default);
            late.ShouldBe(new BlobWrite(second.Length, Sha(second), null));
            var early = await upload.WriteAsync(new TrickleStream(first, 65_536 + 3), baseOffset, first.Length, true, default);
            early.Own.ShouldBe(Sha(first));

            var onDisk = await File.ReadAllBytesAsync(Path.Combine(TempFolder, upload.Id));
            onDisk.Length.ShouldBe(baseOffset + first.Length + second.Length);
            onDisk.AsSpan(baseOffset, first.Length).SequenceEqual(first).ShouldBeTrue();
            onDisk.AsSpan(baseOffset + first.Length).SequenceEqual(second).ShouldBeTrue();
            (await upload.DigestAsync(default)).ShouldBe(new StagedBytes(onDisk.Length, Sha(onDisk)));
        }

        /// <summary>Whatever this machine's disk does with O_DIRECT: the store opens it only at 4 KiB boundaries, only where
        /// its own probe found direct writes work, and the probe leaves nothing behind.</summary>
        [Fact]
        public void Direct_writes_are_used_only_from_a_4_KiB_boundary_and_only_where_the_probe_found_them_working()
        {
            var temp = Path.Combine(TempFolder, Store.BeginUpload().Id);
            var works = DirectUpload.WorksIn(TempFolder);
            Directory.EnumerateFiles(TempFolder).ShouldBeEmpty(); // the probe cleans up after itself
            if (works) using (var aligned = DirectUpload.TryOpen(temp, 8192)) aligned.ShouldNotBeNull();
            DirectUpload.TryOpen(temp, 4097).ShouldBeNull();
            DirectUpload.TryOpen(temp, 1).ShouldBeNull();
        }

        [Fact]
        public async Task A_body_that_breaks_off_fails_as_the_clients_fault_and_keeps_what_arrived()
        {
            var upload = Store.BeginUpload();
            var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);

            await Should.ThrowAsync<SourceReadException>(() =>
                upload.WriteAsync(new TrickleStream(bytes, 100_000, failAfter: 2 * 1024 * 1024 + 5), 0, bytes.Length, false, default));

            var kept = await File.ReadAllBytesAsync(Path.Combine(TempFolder, upload.Id));
            kept.Length.ShouldBeLessThanOrEqualTo(2 * 1024 * 1024);
            kept.AsSpan().SequenceEqual(bytes.AsSpan(0, kept.Length)).ShouldBeTrue();
            // Sent again from the start: the broken-off write never advanced the running hash.
            (await upload.WriteAsync(new MemoryStream(bytes), 0, bytes.Length, false, default)).UpTo.ShouldBe(Sha(bytes));
        }

        [Fact]
        public async Task Too_many_bytes_stop_the_write() =>
            await Should.ThrowAsync<BlobTooLargeException>(() =>
                Store.BeginUpload().WriteAsync(new MemoryStream(new byte[100]), 0, 99, false, default));
    }

    public sealed class DigestAsync : BlobUploadTests
    {
        [Fact]
        public async Task Bytes_written_again_over_hashed_ones_are_what_gets_hashed()
        {
            var good = RandomNumberGenerator.GetBytes(300_000);
            var upload = Store.BeginUpload();
            await upload.WriteAsync(new MemoryStream(good), 0, good.Length, false, default);
            var bad = good[100_000..200_000];
            bad[5] ^= 0xff;
            await upload.WriteAsync(new MemoryStream(bad), 100_000, bad.Length, false, default);

            var onDisk = await File.ReadAllBytesAsync(Path.Combine(TempFolder, upload.Id));
            (await upload.DigestAsync(default)).Digest.ShouldBe(Sha(onDisk));
            (await upload.DigestAsync(default)).Digest.ShouldNotBe(Sha(good));
        }

        [Fact]
        public async Task Concurrent_writes_to_one_upload_never_leave_a_stale_hash()
        {
            var bytes = RandomNumberGenerator.GetBytes(8 * 256 * 1024);
            var upload = Store.BeginUpload();
            // Every 256 KiB piece twice at once, from eight requests, in any order.
            await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            {
                var at = i % 8 * 256 * 1024;
                return Store.ResumeUpload(upload.Id).WriteAsync(new MemoryStream(bytes, at, 256 * 1024), at, 256 * 1024, false, default);
            })));
            (await upload.DigestAsync(default)).ShouldBe(new StagedBytes(bytes.Length, Sha(bytes)));
        }
    }

    public sealed class CommitAsync : BlobUploadTests
    {
        [Fact]
        public async Task Staged_bytes_become_a_read_only_blob_only_under_their_own_digest()
        {
            var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 5);
            var upload = Store.BeginUpload();
            await upload.WriteAsync(new MemoryStream(bytes), 0, bytes.Length, false, default);

            (await upload.CommitAsync(Sha([1, 2, 3]), default)).ShouldBe(BlobCommit.DigestMismatch);
            Store.Exists(Sha(bytes)).ShouldBeFalse();
            (await upload.CommitAsync(Sha(bytes), default)).ShouldBe(BlobCommit.Stored);

            Store.Exists(Sha(bytes)).ShouldBeTrue();
            Store.ListUploads().ShouldBeEmpty();
            (await File.ReadAllBytesAsync(Store.PathOf(Sha(bytes)))).ShouldBe(bytes);
            Store.List().Single().ShouldBe((Sha(bytes), (long)bytes.Length));
            if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(Store.PathOf(Sha(bytes))).HasFlag(UnixFileMode.UserWrite).ShouldBeFalse();
        }

        [Fact]
        public async Task Verified_bytes_replace_a_damaged_stored_copy()
        {
            var bytes = RandomNumberGenerator.GetBytes(50_000);
            var digest = await Store.StoreAsync(bytes);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Store.PathOf(digest), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await File.WriteAllBytesAsync(Store.PathOf(digest), new byte[10]); // bit rot

            var again = Store.BeginUpload();
            await again.WriteAsync(new MemoryStream(bytes), 0, bytes.Length, false, default);
            (await again.CommitAsync(digest, default)).ShouldBe(BlobCommit.AlreadyPresent);
            (await File.ReadAllBytesAsync(Store.PathOf(digest))).ShouldBe(bytes);
        }

        [Theory]
        [MemberData(nameof(HostileDigests), MemberType = typeof(BlobStoreTestBase))]
        public async Task A_hostile_expected_digest_is_a_mismatch_and_the_staged_bytes_stay(string hostile)
        {
            var bytes = RandomNumberGenerator.GetBytes(5_000);
            var upload = Store.BeginUpload();
            await upload.WriteAsync(new MemoryStream(bytes), 0, bytes.Length, false, default);

            (await upload.CommitAsync(new Digest(hostile), default)).ShouldBe(BlobCommit.DigestMismatch);
            (await upload.CommitAsync(new Digest(Sha(bytes).Hex.ToUpperInvariant()), default)).ShouldBe(BlobCommit.DigestMismatch);
            Store.List().ShouldBeEmpty();
            Store.ListUploads().Single().Id.ShouldBe(upload.Id);
        }
    }

    public sealed class Discard : BlobUploadTests
    {
        [Fact]
        public async Task Discarded_bytes_are_gone_and_a_new_write_starts_a_fresh_hash()
        {
            var upload = Store.BeginUpload();
            await upload.WriteAsync(new MemoryStream(new byte[1000]), 0, 1000, false, default);
            upload.Discard();
            Store.ListUploads().ShouldBeEmpty();

            var bytes = RandomNumberGenerator.GetBytes(10);
            (await Store.ResumeUpload(upload.Id).WriteAsync(new MemoryStream(bytes), 0, 10, false, default)).UpTo.ShouldBe(Sha(bytes));
        }
    }
}
