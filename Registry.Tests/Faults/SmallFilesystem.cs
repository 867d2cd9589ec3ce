using Registry.Tests.Infrastructure;

namespace Registry.Tests.Faults;

/// <summary>
/// A size-limited filesystem mounted for one test: a tmpfs, or else a loop-mounted ext4 image. Needs root (CI runs as root);
/// when neither mount works the constructor throws with both reasons, so the test fails loudly instead of skipping.
/// </summary>
public sealed class SmallFilesystem : IAsyncDisposable
{
    private readonly string? _image;

    public string MountPoint { get; }
    public string Kind { get; }

    private SmallFilesystem(string mountPoint, string kind, string? image)
    {
        MountPoint = mountPoint;
        Kind = kind;
        _image = image;
    }

    public static async Task<SmallFilesystem> MountAsync(string mountPoint, int mebibytes)
    {
        Directory.CreateDirectory(mountPoint);
        var tmpfs = await Run("mount", "-t", "tmpfs", "-o", $"size={mebibytes}m", "tmpfs", mountPoint);
        if (tmpfs.ExitCode == 0) return new SmallFilesystem(mountPoint, "tmpfs", null);

        var image = mountPoint.TrimEnd('/') + ".ext4";
        var steps = new List<ProcessResult>
        {
            await Run("truncate", "-s", $"{mebibytes}M", image),
        };
        if (steps[^1].ExitCode == 0) steps.Add(await Run("mkfs.ext4", "-q", "-F", image));
        if (steps[^1].ExitCode == 0) steps.Add(await Run("mount", "-o", "loop", image, mountPoint));
        if (steps[^1].ExitCode == 0) return new SmallFilesystem(mountPoint, "ext4 (loop)", image);

        File.Delete(image);
        throw new InvalidOperationException(
            $"cannot create a {mebibytes} MiB filesystem at {mountPoint} for the disk-full test (it needs root and mount rights):\n" +
            $"mount -t tmpfs: {tmpfs}\nloop ext4: {steps[^1]}");
    }

    /// <summary>Writes zeros into <paramref name="path"/> until only <paramref name="leave"/> bytes are free (or the disk is full). Returns the bytes left free.</summary>
    public static long Fill(string path, long leave)
    {
        var drive = new DriveInfo(Path.GetDirectoryName(path)!);
        var buffer = new byte[64 * 1024];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (drive.AvailableFreeSpace > leave)
                file.Write(buffer, 0, (int)Math.Min(buffer.Length, Math.Max(4096, drive.AvailableFreeSpace - leave)));
        }
        catch (IOException) { } // ENOSPC: as full as it gets
        return drive.AvailableFreeSpace;
    }

    private static async Task<ProcessResult> Run(string file, params string[] args)
    {
        try
        {
            return await ProcessRunner.RunAsync(file, args, timeout: TimeSpan.FromSeconds(30));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new ProcessResult(-1, "", $"{file}: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        var umount = await Run("umount", MountPoint);
        if (umount.ExitCode != 0) await Run("umount", "-l", MountPoint); // still busy: detach now, freed when the last file closes
        if (_image is not null) File.Delete(_image);
    }
}
