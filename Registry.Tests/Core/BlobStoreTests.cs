using System.Security.Cryptography;
using Registry.Core.Storage;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Core;

/// <summary><see cref="IBlobStore"/>, one nested class per method, each that takes a name also tried with hostile ones.</summary>
public abstract class BlobStoreTests : BlobStoreTestBase
{
    public sealed class BeginUpload : BlobStoreTests
    {
        [Fact]
        public void Every_upload_gets_a_new_name_that_its_kind_only_prefixes()
        {
            var (a, b) = (Store.BeginUpload("sregistry"), Store.BeginUpload("sregistry"));
            a.Id.ShouldNotBe(b.Id);
            a.Id.ShouldStartWith("sregistry-");
            a.Id.ShouldEndWith(".tmp");
            Store.ResumeUpload(a.Id).Id.ShouldBe(a.Id);
        }

        [Theory]
        [InlineData("../../etc")]
        [InlineData("..")]
        [InlineData("kind\0")]
        [InlineData("a kind")]
        public void A_kind_that_cannot_be_part_of_a_name_is_refused(string hostile) =>
            Should.Throw<ArgumentException>(() => Store.BeginUpload(hostile));

        [Fact]
        public void A_very_long_kind_is_refused() => Should.Throw<ArgumentException>(() => Store.BeginUpload(new string('k', 300)));

        [Theory]
        [InlineData("/etc/cron.d/job")]
        [InlineData("nested/kind")]
        public async Task A_kind_holding_a_path_still_stages_in_tmp(string hostile)
        {
            var upload = Store.BeginUpload(hostile);
            await upload.WriteAsync(new MemoryStream(new byte[10]), 0, 10, false, default);
            upload.Id.ShouldNotContain('/');
            Directory.GetFiles(TempFolder).ShouldBe([Path.Combine(TempFolder, upload.Id)]);
        }
    }

    public sealed class ResumeUpload : BlobStoreTests
    {
        [Fact]
        public async Task A_resumed_upload_continues_where_the_first_request_stopped()
        {
            var bytes = RandomNumberGenerator.GetBytes(100_000);
            var id = Store.BeginUpload().Id;
            await Store.ResumeUpload(id).WriteAsync(new MemoryStream(bytes[..40_000]), 0, 40_000, false, default);
            var second = await Store.ResumeUpload(id).WriteAsync(new MemoryStream(bytes[40_000..]), 40_000, 60_000, false, default);

            second.UpTo.ShouldBe(Sha(bytes)); // the running hash outlives the request that started it
            Store.ResumeUpload(id).Length.ShouldBe(bytes.Length);
            Store.ListUploads().Single().ShouldBe(new StagedUpload(id, bytes.Length, File.GetLastWriteTimeUtc(Path.Combine(TempFolder, id))));
        }

        [Theory]
        [MemberData(nameof(HostileUploadIds), MemberType = typeof(BlobStoreTestBase))]
        public void Ids_that_are_not_upload_names_are_refused(string hostile) =>
            Should.Throw<ArgumentException>(() => Store.ResumeUpload(hostile));

        [Theory]
        [InlineData("/somewhere/else/upload-abc.tmp")]
        [InlineData("/etc/upload-abc.tmp")]
        public void A_recorded_path_resolves_to_its_file_name_under_tmp_only(string recorded) =>
            Store.ResumeUpload(recorded).Id.ShouldBe("upload-abc.tmp");
    }

    public sealed class ListUploads : BlobStoreTests
    {
        [Fact]
        public void Only_upload_names_are_listed_for_the_janitor()
        {
            File.WriteAllText(Path.Combine(TempFolder, "notes.txt"), "an admin's file");
            Store.ListUploads().ShouldBeEmpty();
        }
    }

    public sealed class PathOf : BlobStoreTests
    {
        [Fact]
        public void Digests_that_are_not_sha256_never_name_a_path()
        {
            Should.Throw<ArgumentException>(() => Store.PathOf(new Digest("../../etc/passwd")));
            Digest.TryParse("sha256.../../../etc", out _).ShouldBeFalse();
        }

        [Theory]
        [MemberData(nameof(HostileDigests), MemberType = typeof(BlobStoreTestBase))]
        public void A_hostile_digest_neither_parses_nor_names_a_path(string hostile)
        {
            Digest.TryParseHex(hostile, out _).ShouldBeFalse();
            Should.Throw<ArgumentException>(() => Store.PathOf(new Digest(hostile)));
        }
    }

    public sealed class Exists : BlobStoreTests
    {
        [Fact]
        public async Task Only_a_stored_blob_exists() => Store.Exists(await Store.StoreAsync([1, 2, 3])).ShouldBeTrue();

        [Theory]
        [MemberData(nameof(HostileDigests), MemberType = typeof(BlobStoreTestBase))]
        public void A_hostile_digest_is_refused(string hostile) => Should.Throw<ArgumentException>(() => Store.Exists(new Digest(hostile)));
    }

    public sealed class OpenRead : BlobStoreTests
    {
        [Fact]
        public async Task A_stored_blob_reads_back()
        {
            var bytes = RandomNumberGenerator.GetBytes(10_000);
            var copy = new MemoryStream();
            await using (var read = Store.OpenRead(await Store.StoreAsync(bytes))) await read.CopyToAsync(copy);
            copy.ToArray().ShouldBe(bytes);
        }

        [Theory]
        [MemberData(nameof(HostileDigests), MemberType = typeof(BlobStoreTestBase))]
        public void A_hostile_digest_is_refused(string hostile) => Should.Throw<ArgumentException>(() => Store.OpenRead(new Digest(hostile)).Dispose());
    }

    public sealed class Delete : BlobStoreTests
    {
        [Fact]
        public async Task A_deleted_blob_is_gone_and_deleting_it_again_is_no_error()
        {
            var digest = await Store.StoreAsync([4, 5, 6]);
            Store.Delete(digest);
            Store.Exists(digest).ShouldBeFalse();
            Store.Delete(digest);
        }

        [Theory]
        [MemberData(nameof(HostileDigests), MemberType = typeof(BlobStoreTestBase))]
        public void A_hostile_digest_is_refused(string hostile) => Should.Throw<ArgumentException>(() => Store.Delete(new Digest(hostile)));
    }

    public sealed class Quarantine : BlobStoreTests
    {
        [Fact]
        public async Task A_quarantined_blob_moves_out_of_the_store_and_a_missing_one_is_no_error()
        {
            var digest = await Store.StoreAsync([7, 8, 9]);
            Store.Quarantine(digest);
            Store.Exists(digest).ShouldBeFalse();
            Directory.GetFiles(Path.Combine(Root, "quarantine")).Single().ShouldStartWith(Path.Combine(Root, "quarantine", digest.Hex));
            Store.Quarantine(digest);
        }

        [Theory]
        [MemberData(nameof(HostileDigests), MemberType = typeof(BlobStoreTestBase))]
        public void A_hostile_digest_is_refused_and_nothing_is_moved(string hostile)
        {
            Should.Throw<ArgumentException>(() => Store.Quarantine(new Digest(hostile)));
            Directory.Exists(Path.Combine(Root, "quarantine")).ShouldBeFalse();
        }
    }

    public sealed class WrittenAt : BlobStoreTests
    {
        [Fact]
        public async Task It_is_when_the_blob_was_committed()
        {
            var before = DateTime.UtcNow.AddSeconds(-2);
            var digest = await Store.StoreAsync([1]);
            Store.WrittenAt(digest).ShouldBeInRange(before, DateTime.UtcNow.AddSeconds(2));
        }

        [Theory]
        [MemberData(nameof(HostileDigests), MemberType = typeof(BlobStoreTestBase))]
        public void A_hostile_digest_is_refused(string hostile) => Should.Throw<ArgumentException>(() => Store.WrittenAt(new Digest(hostile)));
    }
}
