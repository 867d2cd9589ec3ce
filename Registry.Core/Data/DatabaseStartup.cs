using Microsoft.EntityFrameworkCore;

namespace Registry.Core.Data;

/// <summary>Applies committed migrations and switches the file to WAL (a persistent setting of the database file).</summary>
public static class DatabaseStartup
{
    public static async Task MigrateAsync(RegistryDbContext db, CancellationToken ct = default)
    {
        await db.Database.MigrateAsync(ct);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }
}
