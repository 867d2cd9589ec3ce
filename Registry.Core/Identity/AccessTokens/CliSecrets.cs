using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;

namespace Registry.Core.Identity.AccessTokens;

/// <summary>
/// The per-user CLI secret: the <c>/v2/</c> password that <c>apptainer remote get-login-password</c> prints (the
/// <c>oidc_user_meta.secret</c> of <c>/v1/rbac/users/current</c>). It is an <see cref="AccessToken"/> row marked
/// <see cref="AccessToken.IsCliSecret"/>: write scope on every collection, no expiry, so revocation, the disabled check,
/// the terms gate, rate limits and the audit log hold as for every token. It is accepted on <c>/v2/</c> only, never as a
/// Library API bearer token or an sregistry-cli key. The server must answer it again, so it is kept encrypted by
/// <see cref="TokenSecrets"/> (Data Protection), never plain. Made when first asked for; rotated on the tokens page and
/// when the account is disabled; deleted with the account.
/// A user has at most one live secret, on every node: it is only made, and only replaced, inside a write transaction,
/// and write transactions run one at a time (SQLite's <c>BEGIN IMMEDIATE</c>, <see cref="Data.Postgres.PostgresWriteLock"/>
/// on PostgreSQL), each reading what the one before it saved. Of two first asks at once one makes it and both answer it;
/// of two rotations at once the second revokes the first's secret, so the secret shown last is the one that works.
/// </summary>
public sealed class CliSecrets(IDbContextFactory<RegistryDbContext> dbFactory, TokenSecrets secrets, TimeProvider clock)
{
    public const string Label = "CLI secret";

    /// <summary>
    /// Whether a caller may be handed the secret: only one whose token already has as much (write scope, every collection).
    /// A read-only or one-collection token never leads to the full-rights secret.
    /// </summary>
    public static bool MayReveal(Actor actor) =>
        actor.IsAuthenticated && actor.Scope >= TokenScope.Write && actor.RestrictedToCollectionId is null;

    /// <summary>The actor's CLI secret, made now if they have none (or its encryption keys were lost); null when <see cref="MayReveal"/> says no.</summary>
    public async Task<string?> GetOrCreateAsync(Actor actor, CancellationToken ct = default)
    {
        if (!MayReveal(actor)) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await LiveSecretAsync(db, actor.UserId!, ct) is { } secret) return secret; // the usual answer, without the write lock
        await using var tx = await db.Database.BeginTransactionAsync(ct); // one writer at a time, on every node
        if (await LiveSecretAsync(db, actor.UserId!, ct) is { } made) return made; // made by a concurrent ask while this one waited
        return await ReplaceAsync(db, actor, "token.cli-secret.create", ct);
    }

    /// <summary>A new secret for the actor (the tokens page's "New CLI secret"): the old one stops working at once.</summary>
    public async Task<Result<string>> RotateAsync(Actor actor, CancellationToken ct = default)
    {
        if (!MayReveal(actor)) return Result.Forbidden("only you, signed in, can make a new CLI secret");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct); // after the one before: it revokes that one's
        return await ReplaceAsync(db, actor, "token.cli-secret.rotate", ct);
    }

    /// <summary>When the actor's live secret was made and last used, or null when they have none yet.</summary>
    public async Task<AccessToken?> FindAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await CurrentAsync(db, userId, ct);
    }

    /// <summary>Marks the user's live secrets revoked in <paramref name="db"/>'s unit of work (saved by the caller): disabling an account.</summary>
    public static async Task RevokeAllAsync(RegistryDbContext db, string userId, DateTime now, CancellationToken ct)
    {
        foreach (var token in await db.AccessTokens.Where(t => t.UserId == userId && t.IsCliSecret && t.RevokedAt == null).ToListAsync(ct))
            token.RevokedAt = now;
    }

    private static Task<AccessToken?> CurrentAsync(RegistryDbContext db, string userId, CancellationToken ct) =>
        db.AccessTokens.AsNoTracking().Where(t => t.UserId == userId && t.IsCliSecret && t.RevokedAt == null)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).FirstOrDefaultAsync(ct);

    private async Task<string?> LiveSecretAsync(RegistryDbContext db, string userId, CancellationToken ct) =>
        await CurrentAsync(db, userId, ct) is { ProtectedSecret: { } stored } ? secrets.Unprotect(stored) : null;

    /// <summary>Revokes the user's live secrets and saves a new one, inside the caller's write transaction, which it commits.</summary>
    private async Task<string> ReplaceAsync(RegistryDbContext db, Actor actor, string action, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await RevokeAllAsync(db, actor.UserId!, now, ct);
        var secret = AccessTokenService.Prefix + Ids.NewSecret();
        db.AccessTokens.Add(new AccessToken
        {
            UserId = actor.UserId!, Label = Label, Scope = TokenScope.Write, IsCliSecret = true, CreatedAt = now,
            SecretHash = Ids.Sha256Hex(secret), ProtectedSecret = secrets.Protect(secret),
        });
        AuditLog.Record(db, actor, action, actor.UserName);
        await db.SaveChangesAsync(ct);
        await db.Database.CommitTransactionAsync(ct);
        return secret;
    }
}
