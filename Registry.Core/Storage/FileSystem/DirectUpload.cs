using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Registry.Core.Storage.FileSystem;

/// <summary>
/// Upload bytes written around the page cache (Linux <c>O_DIRECT</c>): the disk reads them straight from our buffer, so the
/// kernel never copies them into page-cache memory. Profiled on the bench machine, that copy was 45 % of the server's CPU
/// during a 2 GiB push. Each 1 MiB slice is hashed in 64 KiB steps as it arrives (still in the core's cache), then written
/// on a pool thread while the next slice fills. Used where the write starts on a 4 KiB boundary (whole files, parts of an
/// aligned part size) and the file system takes direct writes (<see cref="WorksIn"/>); otherwise the caller writes
/// through the page cache. A tail that isn't a multiple of 4 KiB (the end of a file) goes through the page cache.
/// </summary>
internal static class DirectUpload
{
    private const int Align = 4096;
    private const int SliceSize = 1 << 20;
    private const int PooledBuffers = 16;
    private static readonly ConcurrentQueue<byte[]> Pool = new();

    /// <summary>
    /// Whether one aligned direct write works in <paramref name="folder"/>: some file systems accept <c>O_DIRECT</c> at
    /// open and refuse the writes (EINVAL), which must not fail uploads. Asked once per blob store.
    /// </summary>
    public static bool WorksIn(string folder)
    {
        var probe = Path.Combine(folder, $"direct-probe-{Ids.New()}.tmp");
        var buffer = Rent();
        try
        {
            using var file = TryOpen(probe, 0);
            if (file is null) return false;
            RandomAccess.Write(file, Slice(buffer, Align), 0);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            Return(buffer);
            try { File.Delete(probe); } catch (IOException) { }
        }
    }

    public static SafeFileHandle? TryOpen(string path, long offset)
    {
        if (!OperatingSystem.IsLinux() || offset % Align != 0) return null;
        var direct = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 0x4000,     // O_DIRECT differs between architectures
            Architecture.Arm64 => 0x10000,
            _ => 0,
        };
        if (direct == 0) return null;
        const int writeOnly = 0x1, create = 0x40, closeOnExec = 0x80000;
        var fd = open(path, writeOnly | create | closeOnExec | direct, 0x1B6 /* 0666, less the umask, as .NET creates files */);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true); // EINVAL: no direct I/O on this file system
    }

    public static async Task<long> CopyAsync(Stream source, SafeFileHandle file, string path, long offset, long maxBytes,
        IncrementalHash? hash, IncrementalHash? alsoInto, CancellationToken ct)
    {
        byte[] current = Rent(), next = Rent();
        var writing = Task.CompletedTask;
        long total = 0;
        try
        {
            while (true)
            {
                var filled = await UploadSource.FillAsync(source, current, AlignedStart(current), SliceSize, hash, alsoInto, ct);
                total += filled;
                if (total > maxBytes) throw new BlobTooLargeException(maxBytes);
                await writing; // the other buffer is free again, and a failed write stops the upload here
                if (filled == 0) break;
                var at = offset + total - filled;
                if (filled == SliceSize)
                {
                    writing = WriteOnPoolAsync(file, current, filled, at);
                    (current, next) = (next, current);
                    continue;
                }
                // The last slice: its whole 4 KiB blocks directly, the rest through the page cache.
                var whole = filled & ~(Align - 1);
                if (whole > 0) RandomAccess.Write(file, Slice(current, whole), at);
                if (whole < filled)
                {
                    using var buffered = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                    RandomAccess.Write(buffered, Slice(current, filled)[whole..], at + whole);
                }
                break;
            }
        }
        finally
        {
            try { await writing; } catch { /* already surfaced, or the upload failed before it: the buffer must not be reused mid-write */ }
            Return(current);
            Return(next);
        }
        return total;
    }

    private static Task WriteOnPoolAsync(SafeFileHandle file, byte[] buffer, int length, long at) =>
        Task.Run(() => RandomAccess.Write(file, Slice(buffer, length), at));

    private static ReadOnlySpan<byte> Slice(byte[] buffer, int length) => buffer.AsSpan(AlignedStart(buffer), length);

    // Pinned (never moved by the GC), so the address the disk reads from stays 4 KiB-aligned.
    private static int AlignedStart(byte[] buffer) =>
        (int)((Align - Marshal.UnsafeAddrOfPinnedArrayElement(buffer, 0) % Align) % Align);

    private static byte[] Rent() => Pool.TryDequeue(out var buffer) ? buffer : GC.AllocateUninitializedArray<byte>(SliceSize + Align, pinned: true);

    private static void Return(byte[] buffer)
    {
        if (Pool.Count < PooledBuffers) Pool.Enqueue(buffer);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);
}
