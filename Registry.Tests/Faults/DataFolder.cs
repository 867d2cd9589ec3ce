using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Registry.Tests.Faults;

/// <summary>Looks at a server's data folder from outside: temp files, blob integrity, the SQLite file.</summary>
public static class DataFolder
{
    public static string[] TempFiles(string dataPath)
    {
        var tmp = Path.Combine(dataPath, "tmp");
        return Directory.Exists(tmp) ? Directory.GetFiles(tmp, "*", SearchOption.AllDirectories) : [];
    }

    public static string[] BlobFiles(string dataPath)
    {
        var blobs = Path.Combine(dataPath, "blobs");
        return Directory.Exists(blobs) ? Directory.GetFiles(blobs, "*", SearchOption.AllDirectories) : [];
    }

    /// <summary>Blob files whose bytes do not hash to their name (half-written or corrupt), as "path: actual".</summary>
    public static List<string> CorruptBlobs(string dataPath)
    {
        var bad = new List<string>();
        foreach (var file in BlobFiles(dataPath))
        {
            using var stream = File.OpenRead(file);
            var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (actual != Path.GetFileName(file)) bad.Add($"{file}: sha256 {actual}, {stream.Length} bytes");
        }
        return bad;
    }

    /// <summary><c>PRAGMA integrity_check</c> on registry.db, read-only (the server may be running).</summary>
    public static string IntegrityCheck(string dataPath)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataPath, "registry.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        return (string)command.ExecuteScalar()!;
    }
}
