using System.Runtime.InteropServices;

namespace Registry.Core.Storage.SharedFolder;

/// <summary><c>link()</c>: a second name for a file, failing when the name exists; atomic on local filesystems and NFS.</summary>
public static class HardLink
{
    public const int EExist = 17;
    public const int EXDev = 18;

    /// <summary>0 when <paramref name="created"/> now names <paramref name="existing"/>'s file, else the errno.</summary>
    public static int TryCreate(string existing, string created)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("hard links are used on Unix only");
        return Link(existing, created) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);
}
