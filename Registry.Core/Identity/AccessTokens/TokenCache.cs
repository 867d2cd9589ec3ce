using System.Collections.Concurrent;

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
/// disable, promote, terms agreed, deletion) bumps <see cref="Generation"/>, which drops every entry at once; changes
/// made by another process (the admin CLI) are seen when the entry's short lifetime ends.
/// </summary>
internal sealed class TokenCache
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, CachedToken> _entries = new(StringComparer.Ordinal);
    private static long _generation;

    public static long Generation => Interlocked.Read(ref _generation);

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
