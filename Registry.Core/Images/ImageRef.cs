using Registry.Core.Storage;

namespace Registry.Core.Images;

/// <summary>
/// A library reference as the server receives it: <c>x</c>, <c>c/x</c> or <c>e/c/x</c>, then optionally
/// <c>:tag</c> or <c>:sha256.&lt;hex&gt;</c>. See: docs/library-api.md §Images, §References.
/// </summary>
public sealed record ImageRef(string Entity, string Collection, string Container, string Tag, Digest? Hash)
{
    public string Path => $"{Entity}/{Collection}/{Container}";
    public override string ToString() => $"{Path}:{(Hash is { } h ? h.LibraryForm : Tag)}";

    public static Result<ImageRef> Parse(string? raw, RegistryOptions options)
    {
        if (string.IsNullOrEmpty(raw) || raw.Length > 512) return Result.Invalid("a reference entity/collection/container[:tag] is required");
        raw = raw.Replace("%3A", ":", StringComparison.OrdinalIgnoreCase).Trim('/');
        var colon = raw.IndexOf(':');
        var path = colon < 0 ? raw : raw[..colon];
        var version = colon < 0 ? "latest" : raw[(colon + 1)..];

        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 1 or > 3) return Result.Invalid($"'{raw}' is not a reference of the form entity/collection/container[:tag]");
        foreach (var part in parts)
            if (!Names.IsValid(part)) return Result.Invalid($"'{part}' is not a valid name: use {Names.Rule}");

        Digest? hash = null;
        if (version.StartsWith(Digest.Prefix, StringComparison.Ordinal))
        {
            if (!Digest.TryParse(version, out var d)) return Result.Invalid($"'{version}' is not a valid sha256.<64 hex> hash");
            hash = d;
        }
        else if (!Names.IsValid(version)) return Result.Invalid($"'{version}' is not a valid tag: use {Names.Rule}");

        return parts.Length switch
        {
            3 => new ImageRef(parts[0], parts[1], parts[2], version, hash),
            2 => new ImageRef(options.DefaultEntity, parts[0], parts[1], version, hash),
            _ => new ImageRef(options.DefaultEntity, options.DefaultCollection, parts[0], version, hash),
        };
    }
}
