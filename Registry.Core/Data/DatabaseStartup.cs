using Microsoft.EntityFrameworkCore;

namespace Registry.Core.Data;

/// <summary>
/// Applies the provider's committed migrations: on SQLite then switches the file to WAL (a persistent setting of the
/// database file); on PostgreSQL one node at a time (<see cref="Postgres.PostgresMigrationLock"/>). A database that has
/// them all (every start but the first after an upgrade) only has its history read.
/// </summary>
public static class DatabaseStartup
{
    public static async Task MigrateAsync(RegistryDbContext db, CancellationToken ct = default)
    {
        // EF's migrator, even with nothing to apply, builds the snapshot's model, diffs it against the app's and takes its
        // lock: about 2,000 methods to JIT, an eighth of a cold start's work. Migrations are only ever added, and each
        // one's history row commits with it, so a history that lists every migration of this build needs nothing done.
        // (A model that drifted from the migrations is still refused by the migrator wherever it runs: on every fresh
        // database, the tests' included.)
        var upToDate = !(await db.Database.GetPendingMigrationsAsync(ct)).Any();
        if (db.Database.IsNpgsql())
        {
            if (!upToDate) await Postgres.PostgresMigrationLock.MigrateAsync(db, ct);
            return;
        }
        if (!upToDate) await db.Database.MigrateAsync(ct);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }

    /// <summary>
    /// Names made before <see cref="Names.Reserved"/> that now clash with the app's own pages: they keep working through
    /// the API, but their web pages are shadowed. Reported at start-up so an admin can rename them; nothing is changed.
    /// </summary>
    public static async Task<List<string>> ReservedNameClashesAsync(RegistryDbContext db, CancellationToken ct = default)
    {
        var reserved = Names.Reserved.ToList();
        var containers = Names.ReservedContainers.ToList();
        var clashes = new List<string>();
        clashes.AddRange((await db.Entities.Where(e => reserved.Contains(e.Name) || e.Name.StartsWith("signin-")).Select(e => e.Name).ToListAsync(ct))
            .Select(n => $"entity '{n}'"));
        clashes.AddRange((await db.Collections.Where(c => reserved.Contains(c.Name) || c.Name.StartsWith("signin-"))
            .Select(c => c.Entity!.Name + "/" + c.Name).ToListAsync(ct)).Select(n => $"collection '{n}'"));
        clashes.AddRange((await db.Containers.Where(x => containers.Contains(x.Name))
            .Select(x => x.Collection!.Entity!.Name + "/" + x.Collection.Name + "/" + x.Name).ToListAsync(ct)).Select(n => $"container '{n}'"));
        return clashes;
    }
}
