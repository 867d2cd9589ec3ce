using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Identity;
using Registry.Core.Teams;

namespace Registry.Core.Invitations;

/// <summary>A sign-up link as the admin page lists it (the code itself is shown once, when created).</summary>
public sealed record SignupInviteRow(string Id, string Note, string CreatedBy, DateTime CreatedAt, DateTime ExpiresAt, InviteStatus Status, string? UsedBy);

public sealed class SignupInviteNoteValidator : AbstractValidator<string>
{
    public SignupInviteNoteValidator() =>
        RuleFor(n => n).MaximumLength(200).WithName("Note").WithMessage("The note can be at most 200 characters long.");
}

/// <summary>
/// Admins' sign-up links. Registering claims the link first (one conditional update), then creates the account, so two
/// people using one link at once make one account; a failed account creation gives the link back.
/// </summary>
public sealed class SignupInviteService(IDbContextFactory<RegistryDbContext> dbFactory, IOptionsMonitor<AccountOptions> options, TimeProvider clock)
{
    private static readonly SignupInviteNoteValidator NoteValidator = new();

    /// <summary>A new link's code (shown once; only its hash is kept).</summary>
    public async Task<Result<string>> CreateAsync(Actor actor, string note, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return Result.Forbidden("only admins invite users");
        note = (note ?? "").Trim();
        if (NoteValidator.Validate(note) is { IsValid: false } v) return Result.Invalid(v.Errors[0].ErrorMessage);
        var code = Ids.NewSecret();
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.SignupInvitations.Add(new SignupInvitation
        {
            CodeHash = Ids.Sha256Hex(code), Note = note, CreatedById = actor.UserId!, CreatedAt = now,
            ExpiresAt = now + options.CurrentValue.InviteLifetime,
        });
        AuditLog.Record(db, actor, "user.invite", note.Length == 0 ? "sign-up link" : note);
        await db.SaveChangesAsync(ct);
        return code;
    }

    public async Task<InviteStatus> CheckAsync(string code, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hash = Ids.Sha256Hex(code);
        return StatusOf(await db.SignupInvitations.AsNoTracking().FirstOrDefaultAsync(i => i.CodeHash == hash, ct));
    }

    /// <summary>Takes the link for an account about to be created: its id on success, else why not (used, expired, unknown).</summary>
    public async Task<(string? Id, InviteStatus Status)> ClaimAsync(string code, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hash = Ids.Sha256Hex(code);
        var invite = await db.SignupInvitations.AsNoTracking().FirstOrDefaultAsync(i => i.CodeHash == hash, ct);
        var status = StatusOf(invite);
        if (status != InviteStatus.Valid) return (null, status);
        var now = clock.GetUtcNow().UtcDateTime;
        // Only one of several simultaneous claims changes the row.
        var claimed = await db.SignupInvitations.Where(i => i.Id == invite!.Id && i.UsedAt == null && i.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAt, now), ct);
        return claimed == 1 ? (invite!.Id, InviteStatus.Valid) : (null, InviteStatus.Used);
    }

    /// <summary>The account could not be created (name taken, weak password): the link works again.</summary>
    public async Task ReleaseAsync(string id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.SignupInvitations.Where(i => i.Id == id && i.UsedById == null).ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAt, (DateTime?)null), ct);
    }

    /// <summary>Records which account the link made.</summary>
    public async Task CompleteAsync(string id, RegistryUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.SignupInvitations.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedById, user.Id), ct);
        AuditLog.Record(db, Actor.ForUser(user.Id, user.UserName!, false), "user.register", user.UserName!, detail: "sign-up link");
        await db.SaveChangesAsync(ct);
    }

    public async Task<List<SignupInviteRow>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.SignupInvitations.AsNoTracking().OrderByDescending(i => i.CreatedAt).Take(200).ToListAsync(ct);
        var ids = rows.Select(r => r.CreatedById).Concat(rows.Select(r => r.UsedById ?? "")).Distinct().ToList();
        var names = await db.Users.Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.UserName!, ct);
        return rows.Select(r => new SignupInviteRow(r.Id, r.Note, names.GetValueOrDefault(r.CreatedById, "(deleted user)"), r.CreatedAt, r.ExpiresAt,
            StatusOf(r), r.UsedById is null ? null : names.GetValueOrDefault(r.UsedById, "(deleted user)"))).ToList();
    }

    /// <summary>Withdraws an unused link.</summary>
    public async Task<Result<bool>> RevokeAsync(Actor actor, string id, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return Result.Forbidden("only admins withdraw sign-up links");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var removed = await db.SignupInvitations.Where(i => i.Id == id && i.UsedAt == null).ExecuteDeleteAsync(ct);
        if (removed == 0) return Result.Conflict("this link was already used or withdrawn");
        AuditLog.Record(db, actor, "user.invite.revoke", "sign-up link");
        await db.SaveChangesAsync(ct);
        return true;
    }

    private InviteStatus StatusOf(SignupInvitation? invite) =>
        invite is null ? InviteStatus.NotFound
        : invite.UsedAt is not null ? InviteStatus.Used
        : invite.ExpiresAt <= clock.GetUtcNow().UtcDateTime ? InviteStatus.Expired
        : InviteStatus.Valid;
}
