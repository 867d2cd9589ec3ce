using System.Security.Cryptography;
using Registry.Core.Storage;
using Registry.Core.Storage.SharedFolder;

namespace Registry.Core.Backups;

/// <summary>How a blob gets into a backup (or back): a hard link where the filesystem allows, or a verified copy.</summary>
public enum BlobMode { LinkOrCopy, Copy }

/// <summary>
/// Blobs are immutable once stored (read-only files, replaced only by renaming a new file over the name, removed only by
/// unlinking), so a hard link is a frozen copy that costs no space: it keeps the bytes when gc or a deletion removes the
/// store's name. It shares the disk, though, so an off-volume backup copies (automatic across filesystems, or
/// <c>--copy</c>). A copy is hashed as it is written and must match its name: a backup never carries bit rot along.
/// </summary>
public static class BlobTransfer
{
    public static string RelativePath(string hex) => Path.Combine("blobs", "sha256", hex[..2], hex);

    /// <summary>Puts blob <paramref name="hex"/> from folder <paramref name="from"/> into <paramref name="to"/>; true when linked.</summary>
    public static async Task<bool> TransferAsync(string from, string to, string hex, BlobMode mode, CancellationToken ct)
    {
        if (!Digest.TryParseHex(hex, out _)) throw new InvalidDataException($"not a sha256 digest: {hex}");
        var source = Path.Combine(from, RelativePath(hex));
        var target = Path.Combine(to, RelativePath(hex));
        if (!File.Exists(source)) throw new FileNotFoundException($"blob sha256.{hex} is missing from {from}", source);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target)) return false; // already there (content-addressed: same name, same bytes)
        if (mode == BlobMode.LinkOrCopy && !OperatingSystem.IsWindows())
        {
            var errno = HardLink.TryCreate(source, target);
            if (errno is 0 or HardLink.EExist) return true;
        }
        await CopyVerifiedAsync(source, target, hex, ct);
        return false;
    }

    private static async Task CopyVerifiedAsync(string source, string target, string hex, CancellationToken ct)
    {
        var temp = target + ".copying";
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan))
        await using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous))
        {
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await input.ReadAsync(buffer, ct)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            output.Flush(flushToDisk: true);
        }
        var actual = Convert.ToHexStringLower(sha.GetHashAndReset());
        if (actual != hex)
        {
            File.Delete(temp);
            throw new InvalidDataException($"blob sha256.{hex} hashes to sha256.{actual} (bit rot?); run 'admin verify' on the source");
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(temp, target, overwrite: true);
    }
}
