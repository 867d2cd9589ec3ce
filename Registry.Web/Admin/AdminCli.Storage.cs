using System.Text.RegularExpressions;
using Registry.Core.Entities;
using Registry.Core.Storage;

namespace Registry.Web.Admin;

public static partial class AdminCli
{
    private static async Task<int> CollectGarbageAsync(IServiceProvider sp, bool dryRun)
    {
        var report = await sp.GetRequiredService<StorageMaintenance>().CollectGarbageAsync(dryRun);
        var verb = dryRun ? "would free" : "freed";
        Console.WriteLine($"{verb} {report.BlobBytes} bytes in {report.Blobs} unreferenced blobs and {report.TempBytes} bytes of {report.Sessions} finished or expired upload sessions");
        return 0;
    }

    private static async Task<int> VerifyAsync(IServiceProvider sp)
    {
        var (count, mismatches) = await sp.GetRequiredService<StorageMaintenance>().VerifyAsync();
        foreach (var m in mismatches)
            Console.WriteLine($"MISMATCH sha256.{m.Expected.Hex}: contents hash to sha256.{m.Actual} ({m.Length} bytes); quarantined, its images are no longer served until pushed again");
        Console.WriteLine($"checked {count} blobs, {mismatches.Count} mismatches");
        return mismatches.Count == 0 ? 0 : 1;
    }

    private static async Task<int> SetQuotaAsync(IServiceProvider sp, string entity, string size)
    {
        long? bytes = size switch
        {
            "default" => null,
            "unlimited" => 0,
            _ => ParseSize(size),
        };
        var result = await sp.GetRequiredService<EntityService>().SetQuotaAsync(System, entity, bytes);
        if (!result.Succeeded) return Fail(1, result.Message);
        Console.WriteLine($"quota of {entity}: {(bytes is null ? "registry default" : bytes == 0 ? "unlimited" : $"{bytes} bytes")}");
        return 0;
    }

    private static long ParseSize(string text)
    {
        var m = Regex.Match(text, "^([0-9]{1,12})([KMGT]?)$");
        if (!m.Success) throw new ArgumentException($"size must look like 500M, 20G or 1T, not '{text}'");
        var shift = m.Groups[2].Value switch { "K" => 10, "M" => 20, "G" => 30, "T" => 40, _ => 0 };
        return long.Parse(m.Groups[1].Value) << shift;
    }
}
