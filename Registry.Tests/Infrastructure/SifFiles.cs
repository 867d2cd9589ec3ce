using System.Security.Cryptography;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// Makes SIF files with random content using <c>siftool</c>: one raw primary-system partition
/// whose architecture is recorded in the SIF header (what the Apptainer CLI reads on push).
/// </summary>
public sealed class SifFiles(string directory)
{
    private static readonly Dictionary<string, int> SifArchCodes = new()
    {
        ["386"] = 1, ["amd64"] = 2, ["arm"] = 3, ["arm64"] = 4, ["ppc64"] = 5, ["ppc64le"] = 6,
        ["mips"] = 7, ["mipsle"] = 8, ["mips64"] = 9, ["mips64le"] = 10, ["s390x"] = 11, ["riscv64"] = 12,
    };

    public string Directory { get; } = directory;

    /// <summary>
    /// Creates <c>&lt;random&gt;.sif</c> holding <paramref name="payloadBytes"/> random bytes as a
    /// partition for <paramref name="arch"/>. The SIF is a little larger than the payload (header
    /// + 4096 alignment). Returns the path.
    /// </summary>
    public async Task<string> CreateAsync(long payloadBytes, string arch = "amd64")
    {
        if (!SifArchCodes.TryGetValue(arch, out var archCode))
            throw new ArgumentException($"unknown arch {arch}", nameof(arch));
        System.IO.Directory.CreateDirectory(Directory);

        var name = $"{arch}-{Guid.NewGuid():N}";
        var payload = Path.Combine(Directory, name + ".bin");
        var sif = Path.Combine(Directory, name + ".sif");
        await WriteRandomAsync(payload, payloadBytes);
        try
        {
            await Siftool("new", sif);
            await Siftool("add", sif, payload, "--datatype", "4", "--parttype", "2", "--partfs", "4",
                "--partarch", archCode.ToString());
        }
        finally
        {
            File.Delete(payload);
        }
        return sif;
    }

    /// <summary>As <see cref="CreateAsync"/>, with a JSON labels object (what <c>%labels</c> of a definition file becomes) before the partition.</summary>
    public async Task<string> CreateLabelledAsync(string labelsJson, long payloadBytes, string arch = "amd64")
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = $"{arch}-{Guid.NewGuid():N}";
        var labels = Path.Combine(Directory, name + ".json");
        var payload = Path.Combine(Directory, name + ".bin");
        var sif = Path.Combine(Directory, name + ".sif");
        await File.WriteAllTextAsync(labels, labelsJson);
        await WriteRandomAsync(payload, payloadBytes);
        try
        {
            await Siftool("new", sif);
            await Siftool("add", sif, labels, "--datatype", "3");
            await Siftool("add", sif, payload, "--datatype", "4", "--parttype", "2", "--partfs", "4", "--partarch", SifArchCodes[arch].ToString());
        }
        finally
        {
            File.Delete(labels);
            File.Delete(payload);
        }
        return sif;
    }

    /// <summary>"sha256." + lowercase hex of the whole file, as the library expects.</summary>
    public static async Task<string> HashAsync(string path)
    {
        await using var f = File.OpenRead(path);
        return "sha256." + Convert.ToHexStringLower(await SHA256.HashDataAsync(f));
    }

    private static async Task WriteRandomAsync(string path, long bytes)
    {
        var buffer = new byte[1 << 20];
        await using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        for (var left = bytes; left > 0; left -= buffer.Length)
        {
            var n = (int)Math.Min(buffer.Length, left);
            RandomNumberGenerator.Fill(buffer.AsSpan(0, n));
            await f.WriteAsync(buffer.AsMemory(0, n));
        }
    }

    private static async Task Siftool(params string[] args)
    {
        var r = await ProcessRunner.RunAsync("siftool", args, timeout: TimeSpan.FromMinutes(2));
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"siftool {string.Join(' ', args)} failed:\n{r}");
    }
}
