using System.Collections.Concurrent;
using Registry.Core.Data;

namespace Registry.Core.Identity.AccessTokens;

/// <summary>What a valid token resolved to, kept briefly so API calls don't query the database for every request.</summary>
internal sealed record CachedToken(
    string TokenId, string UserId, string UserName, bool IsAdmin, TokenScope Scope, string? CollectionId,
    int AcceptedTermsVersion, DateTime? ExpiresAt, DateTime CachedAt, long Generation)
{
    /// <summary>When LastUsedAt was last written (at most once a minute per token).</summary>
    public DateTime LastUsedWritten { get; set; }
}

/// <summary>
/// Secret hash → token holder, for a few seconds. Any change to a token or a user saved through the DbContext (revoke,
/// disable, promote, terms agreed, deletion) drops every entry at once, and so does any write of the admin CLI (seen
/// through <see cref="WriteTracker"/>'s signal file): an admin demoted or a token revoked from the command line loses its
/// power on the next request. Only edits made by hand in the database wait for the short lifetime.
/// </summary>
internal sealed class TokenCache
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, CachedToken> _entries = new(StringComparer.Ordinal);
    private static long _generation;

    /// <summary>Changes with every token or user change here and every write anywhere (both counters only grow).</summary>
    public static long Generation => Interlocked.Read(ref _generation) + WriteTracker.Generation;

    /// <summary>Drops every entry of every instance (one per server in the process).</summary>
    public static void Invalidate() => Interlocked.Increment(ref _generation);

    public CachedToken? Find(string secretHash, DateTime now) =>
        _entries.TryGetValue(secretHash, out var entry) && entry.Generation == Generation && now - entry.CachedAt < Lifetime
            && (entry.ExpiresAt is null || entry.ExpiresAt > now)
            ? entry : null;

    public void Add(string secretHash, CachedToken entry)
    {
        if (_entries.Count >= MaxEntries) _entries.Clear(); // bounded: a flood of distinct valid tokens only costs lookups
        _entries[secretHash] = entry;
    }
}
