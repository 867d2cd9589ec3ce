namespace Registry.Core.Storage.SharedFolder;

/// <summary>
/// Every running server holds a shared lock on <c>{data}/running.lock</c> for its lifetime (several nodes on one shared
/// folder hold it together); <c>admin restore</c> asks for it exclusively and so knows no node is serving that folder.
/// The lock is the kernel's (<c>flock</c>, carried over NFS as a POSIX lock) and goes away with the process, even on kill -9.
/// </summary>
public sealed class ServerLease : IDisposable
{
    private readonly FileStream _lock;

    private ServerLease(FileStream held) => _lock = held;

    public static string PathIn(string dataRoot) => Path.Combine(dataRoot, "running.lock");

    /// <summary>
    /// Held by a serving node (shared with the others). While another node holds the lock exclusively (its start-up
    /// recovery, a moment) or <c>admin restore</c> does, this waits for it, saying so once through <paramref name="waiting"/>.
    /// </summary>
    public static async Task<ServerLease> HoldSharedAsync(string dataRoot, Action waiting, CancellationToken ct = default)
    {
        Directory.CreateDirectory(dataRoot);
        for (var attempt = 0; ; attempt++)
        {
            try { return new ServerLease(new FileStream(PathIn(dataRoot), FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete)); }
            catch (IOException) when (!ct.IsCancellationRequested)
            {
                if (attempt == 0) waiting();
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
        }
    }

    /// <summary>Exclusive, for restore; null while any server holds the folder.</summary>
    public static ServerLease? TryHoldExclusive(string dataRoot)
    {
        Directory.CreateDirectory(dataRoot);
        try { return new ServerLease(new FileStream(PathIn(dataRoot), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)); }
        catch (IOException) { return null; }
    }

    public void Dispose() => _lock.Dispose();
}
