using Microsoft.Data.Sqlite;

namespace Registry.Core.Backups;

/// <summary>The database side of a backup: a consistent copy of the live SQLite file, and the blobs that copy references.</summary>
public static class SqliteSnapshot
{
    /// <summary>
    /// <c>VACUUM INTO</c>: one read transaction, so the copy is the database as it was at one instant, whatever the server
    /// writes meanwhile (WAL: writers are not blocked), and compact. The live file is never copied byte-wise.
    /// </summary>
    public static async Task TakeAsync(string liveDatabase, string snapshot, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={liveDatabase};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout=30000; VACUUM INTO $snapshot;";
        command.Parameters.AddWithValue("$snapshot", snapshot);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The blobs the snapshot's images use (what gc keeps): every uploaded image's hash, once.</summary>
    public static async Task<List<string>> ReferencedBlobsAsync(string snapshot, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={snapshot};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT Hash FROM Images WHERE Uploaded = 1 ORDER BY Hash";
        var hashes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) hashes.Add(reader.GetString(0));
        return hashes;
    }
}
