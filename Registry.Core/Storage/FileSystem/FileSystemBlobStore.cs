using System.Text.RegularExpressions;

namespace Registry.Core.Storage.FileSystem;

/// <summary>
/// Blobs under <c>{data}/blobs/sha256/ab/abcd…</c>, staged uploads under <c>{data}/tmp</c>, blobs that failed
/// verification under <c>{data}/quarantine</c> (kept for a look, never served).
/// </summary>
public sealed partial class FileSystemBlobStore : IBlobStore
{
    private const int ReadBufferSize = 1 << 20;
    private readonly string _blobRoot;
    private readonly string _tempRoot;
    private readonly string _quarantineRoot;
    private readonly bool _directWrites;
    private readonly RunningHashes _hashes = new();

    public FileSystemBlobStore(string dataRoot)
    {
        _blobRoot = Path.Combine(dataRoot, "blobs", "sha256");
        _tempRoot = Path.Combine(dataRoot, "tmp");
        _quarantineRoot = Path.Combine(dataRoot, "quarantine");
        Directory.CreateDirectory(_blobRoot);
        Directory.CreateDirectory(_tempRoot);
        _directWrites = DirectUpload.WorksIn(_tempRoot);
    }

    public BlobUpload BeginUpload(string kind = "upload") => ResumeUpload($"{kind}-{Ids.New()}.tmp");

    public BlobUpload ResumeUpload(string uploadId)
    {
        // Sessions recorded before staged uploads had ids hold a full path under tmp (maybe since moved): its file name is the id.
        var id = Path.GetFileName(uploadId);
        if (!UploadIdPattern().IsMatch(id) || uploadId.Contains("..", StringComparison.Ordinal)) throw new ArgumentException($"not an upload id: {uploadId}", nameof(uploadId));
        var path = Path.Combine(_tempRoot, id);
        EnsureUnder(_tempRoot, path);
        return new FileSystemBlobUpload(this, id, path, _hashes, _directWrites);
    }

    public IEnumerable<StagedUpload> ListUploads()
    {
        foreach (var file in new DirectoryInfo(_tempRoot).EnumerateFiles())
            if (UploadIdPattern().IsMatch(file.Name)) yield return new StagedUpload(file.Name, file.Length, file.LastWriteTimeUtc);
    }

    public void Quarantine(Digest digest)
    {
        var path = PathOf(digest);
        Directory.CreateDirectory(_quarantineRoot);
        var kept = Path.Combine(_quarantineRoot, $"{digest.Hex}.{DateTime.UtcNow:yyyyMMddHHmmss}.{Ids.New()}");
        try { File.Move(path, kept); } catch (FileNotFoundException) { }
    }

    public bool Exists(Digest digest) => File.Exists(PathOf(digest));

    public string PathOf(Digest digest)
    {
        // Digest guarantees 64 hex digits; the check below is the last line of defence against a path escape.
        if (!Digest.TryParseHex(digest.Hex, out _)) throw new ArgumentException("not a sha256 digest", nameof(digest));
        var path = Path.Combine(_blobRoot, digest.Hex[..2], digest.Hex);
        EnsureUnder(_blobRoot, path);
        return path;
    }

    public Stream OpenRead(Digest digest) =>
        new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, ReadBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public void Delete(Digest digest)
    {
        var path = PathOf(digest);
        if (File.Exists(path)) File.Delete(path);
    }

    public IEnumerable<(Digest Digest, long Length)> List()
    {
        foreach (var file in Directory.EnumerateFiles(_blobRoot, "*", SearchOption.AllDirectories))
            if (Digest.TryParseHex(Path.GetFileName(file), out var digest))
                yield return (digest, new FileInfo(file).Length);
    }

    public long AvailableBytes() => new DriveInfo(_tempRoot).AvailableFreeSpace; // statvfs of the folder's volume on Unix

    public DateTime WrittenAt(Digest digest) => File.GetLastWriteTimeUtc(PathOf(digest));

    private static void EnsureUnder(string root, string path)
    {
        var full = Path.GetFullPath(path);
        if (!full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new UnauthorizedAccessException($"path escapes the data folder: {path}");
    }

    // kind-id.tmp: letters, digits and dashes, never a path.
    [GeneratedRegex("^[A-Za-z0-9-]{1,100}\\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex UploadIdPattern();
}
