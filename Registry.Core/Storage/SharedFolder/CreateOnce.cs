namespace Registry.Core.Storage.SharedFolder;

/// <summary>
/// A file in the (maybe shared) data folder that must be created exactly once, however many processes on however many
/// machines start at once on an empty folder: each writes its candidate to a temp file of its own, on disk, and then
/// hard-links it to the final name. <c>link()</c> fails if the name exists and is atomic on local filesystems and NFS
/// alike (the classic NFS-safe way; <c>O_EXCL</c> was not on old NFS), so one candidate wins whole and everyone,
/// the losers included, reads the winner. A reader never sees a partly written file.
/// </summary>
public static class CreateOnce
{
    public static byte[] ReadOrCreate(string path, Func<byte[]> candidate)
    {
        if (File.Exists(path)) return File.ReadAllBytes(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.MachineName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                file.Write(candidate());
                file.Flush(flushToDisk: true);
            }
            Publish(temp, path);
        }
        finally
        {
            File.Delete(temp);
        }
        return File.ReadAllBytes(path);
    }

    /// <summary>Makes <paramref name="temp"/> the file at <paramref name="path"/> unless that exists (then leaves it).</summary>
    private static void Publish(string temp, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            try { File.Move(temp, path, overwrite: false); } catch (IOException) when (File.Exists(path)) { }
            return;
        }
        var errno = HardLink.TryCreate(temp, path);
        if (errno is not (0 or HardLink.EExist)) throw new IOException($"cannot create {path}: link() failed with errno {errno}");
    }
}
