using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;

namespace Registry.Core.Identity.AccessTokens;

/// <summary>A freshly minted token: the only moment its secret exists outside the client.</summary>
public sealed record NewAccessToken(AccessToken Token, string Secret);

public sealed class AccessTokenService(IDbContextFactory<RegistryDbContext> dbFactory, TimeProvider clock, WriteGeneration writes, TokenSecrets? secrets = null)
{
    /// <summary>Tokens start with this so they are recognisable in logs and secret scanners.</summary>
    public const string Prefix = "reg_";

    private readonly TokenCache cache = new(writes);

    public async Task<Result<NewAccessToken>> CreateAsync(Actor actor, string userId, string label, TokenScope scope,
        string? collectionId = null, DateTime? expiresAt = null, CancellationToken ct = default)
    {
        if (actor.UserId != userId && !actor.IsAdmin) return Result.Forbidden("tokens can only be created for yourself");
        label = label.Trim();
        if (label.Length is 0 or > 100) return Result.Invalid("a token needs a label of 1 to 100 characters");
        if (expiresAt is { } e && e <= clock.GetUtcNow().UtcDateTime) return Result.Invalid("the expiry must be in the future");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null) return Result.NotFound("user not found");
        if (collectionId is not null && !await db.Collections.AnyAsync(c => c.Id == collectionId, ct)) return Result.NotFound("the token's collection does not exist");
        if (scope == TokenScope.Admin && !user.IsAdmin) scope = TokenScope.Write;

        var secret = Prefix + Ids.NewSecret();
        var token = new AccessToken { UserId = userId, Label = label, Scope = scope, CollectionId = collectionId, ExpiresAt = expiresAt, SecretHash = Ids.Sha256Hex(secret),
            ProtectedSecret = secrets?.Protect(secret) };
        db.AccessTokens.Add(token);
        AuditLog.Record(db, actor, "token.create", $"{user.UserName}:{label}", collectionId, scope.ToString().ToLowerInvariant());
        await db.SaveChangesAsync(ct);
        return new NewAccessToken(token, secret);
    }

    /// <summary>
    /// The actor a bearer secret stands for, the terms version its user agreed to and the token's expiry, or null when it is
    /// unknown, revoked, expired or its user disabled. An admin's powers come only with an admin-scope token: an admin's read
    /// or write token (a CI job's) acts as a plain user. Answers from <see cref="TokenCache"/> for a few seconds; LastUsedAt
    /// is written at most once a minute per token. A CLI secret counts only where <paramref name="acceptCliSecret"/> (/v2/).
    /// </summary>
    public async Task<(Actor Actor, int AcceptedTermsVersion, DateTime? ExpiresAt)?> AuthenticateAsync(string secret, string address,
        CancellationToken ct = default, bool acceptCliSecret = false)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 200) return null;
        return await AuthenticateHashAsync(Ids.Sha256Hex(secret), address, ct, acceptCliSecret);
    }

    /// <summary>As <see cref="AuthenticateAsync"/> by the secret's SHA-256 (what a short-lived <c>/v2/</c> token carries, not the secret).</summary>
    public async Task<(Actor Actor, int AcceptedTermsVersion, DateTime? ExpiresAt)?> AuthenticateHashAsync(string hash, string address,
        CancellationToken ct = default, bool acceptCliSecret = false)
    {
        if (hash.Length != 64) return null;
        var now = clock.GetUtcNow().UtcDateTime;
        var entry = cache.Find(hash, now) ?? await LoadAsync(hash, now, ct);
        if (entry is null || (entry.IsCliSecret && !acceptCliSecret)) return null;
        if (now - entry.LastUsedWritten > TimeSpan.FromMinutes(1))
        {
            entry.LastUsedWritten = now;
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            // No cached read depends on it: no Bump, so each token's use does not drop every cached read.
            await db.AccessTokens.Where(t => t.Id == entry.TokenId).ExecuteUpdateAsync(u => u.SetProperty(t => t.LastUsedAt, now), ct);
        }
        var isAdmin = entry.IsAdmin && entry.Scope == TokenScope.Admin;
        return (new Actor(entry.UserId, entry.UserName, isAdmin, entry.Scope, entry.CollectionId, address), entry.AcceptedTermsVersion, entry.ExpiresAt);
    }

    private async Task<CachedToken?> LoadAsync(string hash, DateTime now, CancellationToken ct)
    {
        var generation = cache.Generation; // read first: a change saved during the query makes this entry stale at once
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var token = await db.AccessTokens.AsNoTracking().Where(t => t.SecretHash == hash).Select(t => new
        {
            t.Id, t.UserId, t.Scope, t.CollectionId, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, t.IsCliSecret,
            t.User!.UserName, t.User.IsAdmin, t.User.IsDisabled, t.User.AcceptedTermsVersion,
        }).FirstOrDefaultAsync(ct);
        if (token is null || token.RevokedAt is not null || token.ExpiresAt <= now || token.IsDisabled) return null;
        var entry = new CachedToken(token.Id, token.UserId, token.UserName!, token.IsAdmin, token.Scope, token.CollectionId,
            token.AcceptedTermsVersion ?? 0, token.ExpiresAt, now, generation, token.IsCliSecret) { LastUsedWritten = token.LastUsedAt ?? DateTime.MinValue };
        cache.Add(hash, entry);
        return entry;
    }

    /// <summary>
    /// The secrets of a user's live tokens that can sign sregistry-cli requests (decrypted here, never logged or returned
    /// past the signature check). Revoked, expired and pre-encryption tokens have none.
    /// </summary>
    public async Task<List<string>> SigningSecretsAsync(string userName, CancellationToken ct = default)
    {
        if (secrets is null || string.IsNullOrEmpty(userName) || userName.Length > 256) return [];
        var now = clock.GetUtcNow().UtcDateTime;
        var normalized = userName.ToUpperInvariant();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.AccessTokens.AsNoTracking()
            .Where(t => t.User!.NormalizedUserName == normalized && t.RevokedAt == null && !t.IsCliSecret && t.ProtectedSecret != null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .OrderByDescending(t => t.CreatedAt).Take(100).Select(t => t.ProtectedSecret!).ToListAsync(ct);
        return stored.Select(secrets.Unprotect).OfType<string>().ToList();
    }

    public async Task<List<AccessToken>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AccessTokens.AsNoTracking().Where(t => t.UserId == userId && t.RevokedAt == null && !t.IsCliSecret)
            .OrderByDescending(t => t.CreatedAt).ToListAsync(ct);
    }

    public async Task<Result<bool>> RevokeAsync(Actor actor, string tokenId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var token = await db.AccessTokens.Include(t => t.User).FirstOrDefaultAsync(t => t.Id == tokenId, ct);
        if (token is null || (token.UserId != actor.UserId && !actor.IsAdmin)) return Result.NotFound("token not found");
        token.RevokedAt = clock.GetUtcNow().UtcDateTime;
        AuditLog.Record(db, actor, "token.revoke", $"{token.User!.UserName}:{token.Label}");
        await db.SaveChangesAsync(ct);
        return true;
    }
}
