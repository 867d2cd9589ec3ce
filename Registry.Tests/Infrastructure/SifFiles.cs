using System.Security.Cryptography;

namespace Registry.Tests.Infrastructure;

/// <summary>A text object of a SIF made by siftool: its file name, content, siftool datatype and object group (none: siftool's default).</summary>
public sealed record SiftoolObject(string Name, string Text, int DataType, uint? Group = null);

/// <summary>
/// Real SIF files made with <c>siftool</c> in <see cref="Directory"/>: text objects, then one raw primary-system
/// partition of random bytes whose architecture is recorded in the SIF header (what the Apptainer CLI reads on push).
/// In-memory images without siftool: <see cref="SifBuilder"/>.
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
    /// Creates <c>&lt;random&gt;.sif</c> holding <paramref name="payloadBytes"/> random bytes as a partition for
    /// <paramref name="arch"/>. The SIF is a little larger than the payload (header + 4096 alignment). Returns the path.
    /// </summary>
    public Task<string> CreateAsync(long payloadBytes, string arch = "amd64") => BuildAsync([], payloadBytes, arch);

    /// <summary>As <see cref="CreateAsync"/>, with a JSON labels object (what <c>%labels</c> of a definition file becomes) before the partition.</summary>
    public Task<string> CreateLabelledAsync(string labelsJson, long payloadBytes, string arch = "amd64") =>
        BuildAsync([new SiftoolObject("labels.json", labelsJson, 3)], payloadBytes, arch);

    /// <summary>A SIF holding <paramref name="objects"/> in order, then the random partition (in <paramref name="partitionGroup"/> when given).</summary>
    public async Task<string> BuildAsync(IReadOnlyList<SiftoolObject> objects, long payloadBytes, string arch = "amd64", uint? partitionGroup = null)
    {
        if (!SifArchCodes.TryGetValue(arch, out var archCode))
            throw new ArgumentException($"unknown arch {arch}", nameof(arch));
        var folder = Path.Combine(Directory, Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(folder);
        var sif = Path.Combine(Directory, $"{arch}-{Path.GetFileName(folder)}.sif");
        try
        {
            await SiftoolAsync("new", sif);
            foreach (var o in objects)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, o.Name), o.Text);
                await SiftoolAsync(["add", sif, Path.Combine(folder, o.Name), "--datatype", o.DataType.ToString(), .. GroupArgs(o.Group)]);
            }
            var payload = Path.Combine(folder, "partition.bin");
            await WriteRandomAsync(payload, payloadBytes);
            await SiftoolAsync(["add", sif, payload, "--datatype", "4", "--parttype", "2", "--partfs", "4",
                "--partarch", archCode.ToString(), .. GroupArgs(partitionGroup)]);
        }
        finally
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
        return sif;
    }

    /// <summary>"sha256." + lowercase hex of the whole file, as the library expects.</summary>
    public static async Task<string> HashAsync(string path)
    {
        await using var f = File.OpenRead(path);
        return "sha256." + Convert.ToHexStringLower(await SHA256.HashDataAsync(f));
    }

    /// <summary>Runs siftool; throws with its output when it fails.</summary>
    public static async Task SiftoolAsync(params string[] args)
    {
        var r = await ProcessRunner.RunAsync("siftool", args, timeout: TimeSpan.FromMinutes(2));
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"siftool {string.Join(' ', args)} failed:\n{r}");
    }

    private static string[] GroupArgs(uint? group) => group is { } g ? ["--groupid", g.ToString()] : [];

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
}
