using System.Text.RegularExpressions;
using Registry.Core.Entities;
using Registry.Core.Nodes;
using Registry.Core.Storage;

using static Registry.Web.Admin.AdminCli;

namespace Registry.Web.Admin;

/// <summary><c>gc</c>, <c>verify</c> and <c>quota</c>.</summary>
internal static class StorageCommands
{
    /// <summary>One gc at a time with the servers' scheduled ones (<see cref="ClusterJobLock"/>): waits for a running one to end.</summary>
    public static async Task<int> CollectGarbageAsync(IServiceProvider sp, bool dryRun)
    {
        await using var held = dryRun ? null : await sp.GetRequiredService<ClusterJobLock>().TakeAsync(ScheduledGc.LockName,
            () => Console.Error.WriteLine("a gc is running (on a server, or another admin gc); waiting for it to end"));
        var report = await sp.GetRequiredService<StorageMaintenance>().CollectGarbageAsync(dryRun, actor: CliActor);
        var verb = dryRun ? "would free" : "freed";
        Console.WriteLine($"{verb} {report.BlobBytes} bytes in {report.Blobs} unreferenced blobs and {report.TempBytes} bytes of {report.Sessions} finished or expired upload sessions; {report.Links} stale /v2/ blob links {(dryRun ? "to drop" : "dropped")}");
        return 0;
    }

    public static async Task<int> VerifyAsync(IServiceProvider sp)
    {
        var maintenance = sp.GetRequiredService<StorageMaintenance>();
        var (count, mismatches) = await maintenance.VerifyAsync();
        foreach (var m in mismatches)
            Console.WriteLine($"MISMATCH sha256.{m.Expected.Hex}: contents hash to sha256.{m.Actual} ({m.Length} bytes); quarantined, its images are no longer served until pushed again");
        var missing = await maintenance.MissingBlobsAsync();
        foreach (var hash in missing) Console.WriteLine($"MISSING sha256.{hash}: images marked uploaded use it, and the store has no such blob");
        Console.WriteLine($"checked {count} blobs, {mismatches.Count} mismatches, {missing.Count} missing");
        return mismatches.Count == 0 && missing.Count == 0 ? 0 : 1;
    }

    public static async Task<int> SetQuotaAsync(IServiceProvider sp, string entity, string size)
    {
        if (!Registry.Core.Entities.QuotaText.TryParse(size, out var bytes))
            throw new ArgumentException($"size must look like 500M, 20G or 1T, not '{size}'");
        var result = await sp.GetRequiredService<EntityService>().SetQuotaAsync(CliActor, entity, bytes);
        if (!result.Succeeded) return Fail(1, result.Message);
        Console.WriteLine($"quota of {entity}: {(bytes is null ? "registry default" : bytes == 0 ? "unlimited" : $"{bytes} bytes")}");
        return 0;
    }
}
