namespace Registry.Core.Images;

/// <summary>Go architecture names and the SIF header codes for them. See: docs/library-api.md §Architectures (header bytes 45–47).</summary>
public static class Architectures
{
    private static readonly string[] ByCode =
        ["", "386", "amd64", "arm", "arm64", "ppc64", "ppc64le", "mips", "mipsle", "mips64", "mips64le", "s390x", "riscv64"];

    public static IReadOnlyList<string> All { get; } = ByCode[1..];

    public static bool IsKnown(string? arch) => arch is not null && All.Contains(arch);

    /// <summary>Reads the primary architecture from a SIF file's global header; null if it isn't a SIF or names none.</summary>
    public static string? ReadFromSif(Stream sif)
    {
        Span<byte> header = stackalloc byte[48];
        if (sif.ReadAtLeast(header, 48, throwOnEndOfStream: false) < 48) return null;
        if (!header.Slice(32, 9).SequenceEqual("SIF_MAGIC"u8)) return null;
        var code = (header[45] - '0') * 10 + (header[46] - '0');
        return code > 0 && code < ByCode.Length ? ByCode[code] : null;
    }
}
