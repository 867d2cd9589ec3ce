using System.Text.Json;
using Registry.Core.Storage.SharedFolder;

namespace Registry.Core.Backups;

/// <summary>What <c>backup.json</c> records; written last, so a folder without it is an unfinished backup.</summary>
public sealed record BackupManifest(DateTime TakenAt, int Blobs, long BlobBytes, int Linked, string Registry = "backup v1");

/// <summary>
/// <c>admin backup</c> and <c>admin restore</c> for a SQLite deployment. A backup folder holds <c>registry.db</c> (a
/// snapshot), <c>blobs.txt</c> (the blobs it references, one sha256 a line), those blobs in the data folder's layout,
/// <c>keys/</c> (URL-signing and Data Protection keys: without them tokens' sregistry secrets and sign-in cookies are
/// lost) and <c>terms.md</c>, then <c>backup.json</c>. The snapshot comes first, the blobs after: blobs referenced at the
/// snapshot are still there, since gc spares anything an image used within its grace hour unless an image is deleted
/// and gc runs in the minutes between; then the backup fails and says so (run it again).
/// </summary>
public static class DataFolderBackup
{
    public const string ManifestFile = "backup.json";
    private static readonly string[] KeptFiles = ["terms.md"];

    public static async Task<BackupManifest> BackupAsync(string dataRoot, string folder, BlobMode mode, CancellationToken ct = default)
    {
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new IOException($"{folder} is not empty; back up into a new folder");
        Directory.CreateDirectory(folder);
        var snapshot = Path.Combine(folder, "registry.db");
        await SqliteSnapshot.TakeAsync(Path.Combine(dataRoot, "registry.db"), snapshot, ct);
        var hashes = await SqliteSnapshot.ReferencedBlobsAsync(snapshot, ct);
        await File.WriteAllLinesAsync(Path.Combine(folder, "blobs.txt"), hashes, ct);
        var (linked, bytes) = await TransferBlobsAsync(dataRoot, folder, hashes, mode, ct);
        CopyKeysAndFiles(dataRoot, folder);
        var manifest = new BackupManifest(DateTime.UtcNow, hashes.Count, bytes, linked);
        await File.WriteAllTextAsync(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest), ct);
        return manifest;
    }

    /// <summary>
    /// Brings a backup back into <paramref name="dataRoot"/>: refused while any server holds that folder, and into a folder
    /// that already has a database unless <paramref name="overwrite"/> (its blobs stay: gc frees what nothing uses).
    /// </summary>
    public static async Task<BackupManifest> RestoreAsync(string folder, string dataRoot, BlobMode mode, bool overwrite, CancellationToken ct = default)
    {
        var manifestPath = Path.Combine(folder, ManifestFile);
        if (!File.Exists(manifestPath)) throw new IOException($"{folder} holds no finished backup (no {ManifestFile})");
        var manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(manifestPath, ct))!;
        using var lease = ServerLease.TryHoldExclusive(dataRoot)
            ?? throw new IOException($"a registry server is running on {dataRoot}; stop every node first");
        var database = Path.Combine(dataRoot, "registry.db");
        if (File.Exists(database) && !overwrite) throw new IOException($"{dataRoot} already holds a database; add --force to replace it");

        var hashes = await File.ReadAllLinesAsync(Path.Combine(folder, "blobs.txt"), ct);
        await TransferBlobsAsync(folder, dataRoot, hashes.Where(h => h.Length > 0).ToList(), mode, ct);
        CopyKeysAndFiles(folder, dataRoot);
        foreach (var stale in new[] { database + "-wal", database + "-shm" }) File.Delete(stale);
        File.Copy(Path.Combine(folder, "registry.db"), database + ".restoring", overwrite: true);
        File.Move(database + ".restoring", database, overwrite: true); // the database last: a half-done restore has none
        return manifest;
    }

    private static async Task<(int Linked, long Bytes)> TransferBlobsAsync(string from, string to, List<string> hashes, BlobMode mode, CancellationToken ct)
    {
        var linked = 0;
        long bytes = 0;
        foreach (var hex in hashes)
        {
            if (await BlobTransfer.TransferAsync(from, to, hex, mode, ct)) linked++;
            bytes += new FileInfo(Path.Combine(to, BlobTransfer.RelativePath(hex))).Length;
        }
        return (linked, bytes);
    }

    /// <summary>The key ring and the admin-edited terms, small files copied whole (a key is never rewritten in place).</summary>
    private static void CopyKeysAndFiles(string from, string to)
    {
        var keys = Path.Combine(from, "keys");
        if (Directory.Exists(keys))
            foreach (var file in Directory.EnumerateFiles(keys, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)))
            {
                var target = Path.Combine(to, Path.GetRelativePath(from, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        foreach (var name in KeptFiles.Where(n => File.Exists(Path.Combine(from, n))))
            File.Copy(Path.Combine(from, name), Path.Combine(to, name), overwrite: true);
    }
}
