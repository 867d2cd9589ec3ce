using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Registry.Core.Storage.FileSystem;

/// <summary>
/// The SHA-256 of each staged upload's first <c>Length</c> bytes, advanced by writes that start exactly there, so
/// finishing reads back only what arrived out of order. A write that overlaps bytes already hashed, or another write in
/// flight, makes the hash untrustworthy ("broken"): finishing then hashes the whole file. Memory only: after a restart
/// finishing hashes the file from the start.
/// </summary>
internal sealed class RunningHashes
{
    private const int MaxUploads = 1000; // abandoned uploads' hashes: past this many, finishing reads files instead
    private readonly ConcurrentDictionary<string, State> _uploads = new(StringComparer.Ordinal);

    /// <summary>A write about to start; <see cref="Hash"/> is a copy of the running hash to feed, or null when it can't continue it.</summary>
    public sealed record Feed(IncrementalHash? Hash, long Offset, long End, long Generation);

    public Feed Begin(string id, long offset, long maxBytes)
    {
        if (_uploads.Count >= MaxUploads) _uploads.Clear();
        var s = _uploads.GetOrAdd(id, _ => new State());
        var end = offset + maxBytes;
        lock (s)
        {
            if (offset < s.Length || s.Active.Any(a => a.Offset < end && offset < a.End)) s.Broken = true;
            var feed = new Feed(!s.Broken && offset == s.Length && !s.Feeding ? s.Hash.Clone() : null, offset, end, ++s.Generation);
            s.Feeding |= feed.Hash is not null;
            s.Active.Add(feed);
            return feed;
        }
    }

    /// <summary>
    /// Ends a <see cref="Begin"/>: a completed fed write moves the running hash on to its end and answers its digest
    /// there; a failed one leaves it as it was.
    /// </summary>
    public Digest? End(string id, Feed feed, long written, bool completed)
    {
        using var fed = feed.Hash;
        if (!_uploads.TryGetValue(id, out var s)) return null;
        lock (s)
        {
            s.Active.Remove(feed);
            if (fed is null) return null;
            s.Feeding = false;
            if (!completed || s.Broken) return null;
            var upTo = new Digest(Convert.ToHexStringLower(fed.GetCurrentHash()));
            (s.Hash, var old) = (fed.Clone(), s.Hash);
            old.Dispose();
            s.Length = feed.Offset + written;
            return upTo;
        }
    }

    /// <summary>A copy of the running hash and the length it covers (a fresh hash and 0 when it is gone or broken).</summary>
    public (IncrementalHash Hash, long Covered, long Generation) Resume(string id)
    {
        var s = _uploads.GetOrAdd(id, _ => new State());
        lock (s)
        {
            if (s.Active.Count > 0) throw new InvalidOperationException($"upload {id} is being written");
            return s.Broken ? (IncrementalHash.CreateHash(HashAlgorithmName.SHA256), 0, s.Generation) : (s.Hash.Clone(), s.Length, s.Generation);
        }
    }

    /// <summary>Keeps a hash that now covers <paramref name="length"/> bytes, unless a write came in since <see cref="Resume"/>.</summary>
    public void Record(string id, IncrementalHash hash, long length, long generation)
    {
        var s = _uploads.GetOrAdd(id, _ => new State());
        lock (s)
        {
            if (s.Active.Count > 0 || s.Generation != generation) return;
            (s.Hash, var old) = (hash.Clone(), s.Hash);
            old.Dispose();
            s.Length = length;
            s.Broken = false;
        }
    }

    public bool Writing(string id) => _uploads.TryGetValue(id, out var s) && s.Active.Count > 0;

    public void Forget(string id)
    {
        if (_uploads.TryRemove(id, out var s)) lock (s) s.Hash.Dispose();
    }

    private sealed class State
    {
        public IncrementalHash Hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        public long Length;
        public bool Broken;
        public bool Feeding;
        public long Generation;
        public readonly List<Feed> Active = [];
    }
}
