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
/// </summary>
public sealed class CliSecrets(IDbContextFactory<RegistryDbContext> dbFactory, TokenSecrets secrets, TimeProvider clock)
{
    public const string Label = "CLI secret";

    // Two first asks at once make one secret in this process. On two nodes both may make one: both work, the oldest is
    // answered from then on, and a rotation revokes both.
    private readonly SemaphoreSlim _gate = new(1, 1);

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
        await _gate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            if (await CurrentAsync(db, actor.UserId!, ct) is { ProtectedSecret: { } stored } && secrets.Unprotect(stored) is { } secret) return secret;
            return await ReplaceAsync(db, actor, actor.UserId!, "token.cli-secret.create", ct);
        }
        finally { _gate.Release(); }
    }

    /// <summary>A new secret for the actor (the tokens page's "New CLI secret"): the old one stops working at once.</summary>
    public async Task<Result<string>> RotateAsync(Actor actor, CancellationToken ct = default)
    {
        if (!MayReveal(actor)) return Result.Forbidden("only you, signed in, can make a new CLI secret");
        await _gate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            return await ReplaceAsync(db, actor, actor.UserId!, "token.cli-secret.rotate", ct);
        }
        finally { _gate.Release(); }
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

    private async Task<string> ReplaceAsync(RegistryDbContext db, Actor actor, string userId, string action, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await RevokeAllAsync(db, userId, now, ct);
        var secret = AccessTokenService.Prefix + Ids.NewSecret();
        db.AccessTokens.Add(new AccessToken
        {
            UserId = userId, Label = Label, Scope = TokenScope.Write, IsCliSecret = true, CreatedAt = now,
            SecretHash = Ids.Sha256Hex(secret), ProtectedSecret = secrets.Protect(secret),
        });
        AuditLog.Record(db, actor, action, actor.UserName);
        await db.SaveChangesAsync(ct);
        return secret;
    }
}
