using System.Collections.Concurrent;

namespace Registry.Core.Uploads;

/// <summary>
/// The multipart parts this process wrote, with the ETag each got. A staged upload's running hash lives in the memory of
/// the process that fed it, and another node on the shared folder may have written the same part again since: completion
/// uses that hash only while the database says every received part is still this process's write (same ETag, same bytes);
/// otherwise it hashes the staged file from its first byte.
/// </summary>
public sealed class PartsWrittenHere
{
    private const int MaxUploads = 1000; // abandoned uploads: past this many, completions hash their files instead
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, string>> _uploads = new(StringComparer.Ordinal);

    public void Wrote(string sessionId, int partNumber, string etag)
    {
        if (_uploads.Count >= MaxUploads) _uploads.Clear();
        _uploads.GetOrAdd(sessionId, _ => new())[partNumber] = etag;
    }

    /// <summary>Whether each of <paramref name="parts"/> (number and ETag, as the database has them) is this process's write.</summary>
    public bool AllWrittenHere(string sessionId, IEnumerable<(int Number, string ETag)> parts) =>
        _uploads.TryGetValue(sessionId, out var here) && parts.All(p => here.TryGetValue(p.Number, out var etag) && etag == p.ETag);

    public void Forget(string sessionId) => _uploads.TryRemove(sessionId, out _);
}
