using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Registry.Core.Storage.FileSystem;

/// <summary>
/// Starts writing a range of a file's dirty pages to disk without waiting (Linux <c>sync_file_range</c> with
/// <c>SYNC_FILE_RANGE_WRITE</c>). Uploads call it as they go, so the one fsync before a blob is committed finds most of a
/// multi-GB file already on disk instead of flushing it all while the client waits. Durability still comes from that
/// fsync alone; this only moves the work earlier. A no-op elsewhere and where the file system refuses (tmpfs).
/// </summary>
internal static class EarlyWriteback
{
    private const uint SyncFileRangeWrite = 2;

    public static void Start(SafeFileHandle file, long offset, long length)
    {
        if (!OperatingSystem.IsLinux()) return;
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            _ = sync_file_range((int)file.DangerousGetHandle(), offset, length, SyncFileRangeWrite); // a hint: errors change nothing
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);
}
