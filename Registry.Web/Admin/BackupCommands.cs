using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Backups;
using Registry.Core.Data;

using static Registry.Web.Admin.AdminCli;

namespace Registry.Web.Admin;

/// <summary><c>backup</c> and <c>restore</c>.</summary>
public static class BackupCommands
{
    /// <summary><c>admin backup FOLDER [--copy]</c>: online, while the server runs. See <see cref="DataFolderBackup"/>.</summary>
    internal static async Task<int> BackupAsync(IServiceProvider sp, string folder, string[] rest)
    {
        var mode = ParseBlobMode(rest);
        await using (var db = await sp.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync())
            if (!db.Database.IsSqlite())
                return Fail(1, "admin backup snapshots SQLite; back up PostgreSQL with pg_dump, then the data folder (see the README)");
        var dataRoot = sp.GetRequiredService<IOptions<RegistryOptions>>().Value.DataRoot;
        try
        {
            var done = await DataFolderBackup.BackupAsync(dataRoot, Path.GetFullPath(folder), mode);
            Console.WriteLine($"backed up the database and {done.Blobs} blobs ({done.BlobBytes} bytes; {done.Linked} hard-linked, {done.Blobs - done.Linked} copied) to {Path.GetFullPath(folder)}");
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Fail(1, $"backup failed: {e.Message}");
        }
    }

    /// <summary>
    /// <c>admin restore FOLDER [--force] [--copy]</c> into the configured data folder. Runs before the database is
    /// opened (Program.cs), so a fresh folder stays empty until the backup's database arrives.
    /// </summary>
    public static async Task<int> RestoreAsync(IServiceProvider services, string[] args)
    {
        if (args is not [var folder, .. var rest] || rest.Any(r => r is not ("--force" or "--copy")))
            return Fail(2, "usage: admin restore <backup-folder> [--force] [--copy]");
        var dataRoot = services.GetRequiredService<IOptions<RegistryOptions>>().Value.DataRoot;
        try
        {
            var restored = await DataFolderBackup.RestoreAsync(Path.GetFullPath(folder), dataRoot, ParseBlobMode(rest), rest.Contains("--force"));
            Console.WriteLine($"restored the backup of {restored.TakenAt:u} ({restored.Blobs} blobs) into {dataRoot}");
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Fail(1, $"restore refused: {e.Message}");
        }
    }

    private static BlobMode ParseBlobMode(string[] rest) => rest.Contains("--copy") ? BlobMode.Copy : BlobMode.LinkOrCopy;
}
