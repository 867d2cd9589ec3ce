using System.Collections.Concurrent;
using Registry.Core.Data;

namespace Registry.Core.Identity.AccessTokens;

/// <summary>What a valid token resolved to, kept briefly so API calls don't query the database for every request.</summary>
internal sealed record CachedToken(
    string TokenId, string UserId, string UserName, bool IsAdmin, TokenScope Scope, string? CollectionId,
    int AcceptedTermsVersion, DateTime? ExpiresAt, DateTime CachedAt, long Generation, bool IsCliSecret)
{
    /// <summary>When LastUsedAt was last written (at most once a minute per token).</summary>
    public DateTime LastUsedWritten { get; set; }
}

/// <summary>
/// Secret hash → token holder, for a few seconds. Any database write of the server or the admin CLI (counted by
/// <see cref="WriteGeneration"/>; the CLI's through its signal file) drops every entry at once, so a revoked token or a
/// demoted admin loses its power on the next request. Only edits made by hand in the database wait for the short lifetime.
/// </summary>
internal sealed class TokenCache(WriteGeneration writes)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, CachedToken> _entries = new(StringComparer.Ordinal);
    /// <summary>Changes with every write of this process or the admin CLI: a revoke, disable, demotion or agreement included.</summary>
    public long Generation => writes.Current;

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
