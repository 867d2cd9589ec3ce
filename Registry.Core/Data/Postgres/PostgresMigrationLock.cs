using Microsoft.EntityFrameworkCore;

namespace Registry.Core.Data.Postgres;

/// <summary>
/// Several nodes starting at once against one PostgreSQL database: the first takes a session advisory lock and applies
/// the migrations, the others wait on the lock and then find nothing left to apply. The lock is the session's, so a
/// node killed mid-migration releases it with its connection (its migration's transaction rolls back with it).
/// </summary>
public static class PostgresMigrationLock
{
    /// <summary>Not <see cref="PostgresWriteLock.WriteKey"/>: the migrations' own transactions take that one.</summary>
    public const long MigrationKey = PostgresWriteLock.WriteKey + 1;

    public static async Task MigrateAsync(RegistryDbContext db, CancellationToken ct = default)
    {
        await db.Database.OpenConnectionAsync(ct); // one connection for lock, migrations and unlock
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationKey})", ct);
            try { await db.Database.MigrateAsync(ct); }
            finally { await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationKey})", CancellationToken.None); }
        }
        finally { await db.Database.CloseConnectionAsync(); }
    }
}
