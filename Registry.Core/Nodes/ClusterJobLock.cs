using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Registry.Core.Nodes;

/// <summary>
/// One holder at a time, across every node and the admin CLI, of a named background job (gc, the label backfill, the
/// signature refresh). On PostgreSQL: a session-level advisory lock (<c>pg_try_advisory_lock</c>) held on a connection
/// of its own, outside the pool, for the job's length; a node that dies drops its connection and with it the lock. On
/// SQLite (one server, and the admin CLI beside it): an exclusive <c>flock</c> on <c>{data}/locks/{job}.lock</c>, which
/// the kernel drops with the process, even on kill -9. The lock files are never deleted, so every process locks the same one.
/// </summary>
public sealed class ClusterJobLock(IOptions<RegistryOptions> options)
{
    /// <summary>The job's lock if no other process holds it now, else null (that process runs the job).</summary>
    public async Task<IAsyncDisposable?> TryTakeAsync(string job, CancellationToken ct = default)
    {
        var o = options.Value;
        return o.Database == DatabaseProvider.PostgreSql ? await TryAdvisoryAsync(o.DatabaseConnection, job, ct) : TryFlock(o.DataRoot, job);
    }

    /// <summary>Waits for the job's lock (the admin CLI's gc while a node runs its own); <paramref name="waiting"/> is told once.</summary>
    public async Task<IAsyncDisposable> TakeAsync(string job, Action waiting, CancellationToken ct = default)
    {
        for (var told = false; ; told = true)
        {
            if (await TryTakeAsync(job, ct) is { } held) return held;
            if (!told) waiting();
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    /// <summary>The PostgreSQL advisory lock key of <paramref name="name"/> (SHA-256, first 8 bytes): the same on every node.</summary>
    public static long AdvisoryKey(string name) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("registry:" + name)));

    /// <summary>Where the SQLite deployment's lock file of <paramref name="job"/> lives.</summary>
    public static string LockFile(string dataRoot, string job) => Path.Combine(dataRoot, "locks", job + ".lock");

    private static async Task<IAsyncDisposable?> TryAdvisoryAsync(string connectionString, string job, CancellationToken ct) =>
        await AdvisoryLock.TakeAsync(connectionString, "registry job " + job, AdvisoryKey(job), wait: false, ct);

    private static FileStream? TryFlock(string dataRoot, string job)
    {
        var path = LockFile(dataRoot, job);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // FileShare.None is flock(LOCK_EX | LOCK_NB) on Unix: refused while another process (or handle) holds it.
        try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return null; }
    }
}
