using Microsoft.Data.Sqlite;
using Npgsql;

namespace Registry.Core.Data;

/// <summary>
/// Recognises a full disk wherever it surfaces: PostgreSQL's disk_full (SQLSTATE 53100, the server's disk), SQLite's SQLITE_FULL (the database or its WAL cannot grow; EF Core wraps
/// it in a DbUpdateException on SaveChanges, a commit throws it bare) or ENOSPC from a file write. Both hosts map it to
/// 507 Insufficient Storage; either database has rolled the statement back, so nothing is half-written.
/// </summary>
public static class StorageFull
{
    public const string Message = "the registry's disk is full; nothing was saved. Try again later, or tell the registry's administrators";

    private const int SqliteFull = 13; // SQLITE_FULL
    private const int Enospc = 28;

    public static bool Is(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: SqliteFull }) return true;
            if (e is PostgresException { SqlState: PostgresErrorCodes.DiskFull }) return true;
            if (e is IOException io && (io.HResult is Enospc or unchecked((int)0x80070070)
                || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase))) return true;
        }
        return false;
    }
}
