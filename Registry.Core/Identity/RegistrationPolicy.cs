using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Invitations;
using Registry.Core.Teams;

namespace Registry.Core.Identity;

/// <summary>
/// Who may create an account in the browser, for password and external accounts alike: the registration mode
/// (<see cref="AccountOptions.Registration"/>: open, invite-only, closed), the very first account always (it becomes the
/// admin: <see cref="RegistryDbContext"/> sets that whichever way the account is made, admin CLI included), and an
/// optional e-mail address that must look like one and, by <see cref="UniqueEmailValidator"/>, be no other account's.
/// The account pages ask here and show the answer; they decide nothing themselves.
/// </summary>
public sealed class RegistrationPolicy(IOptions<AccountOptions> options, IDbContextFactory<RegistryDbContext> dbFactory, TeamInviteLinks teamInvites, SignupInviteService signups)
{
    public const string InvalidEmail = "The e-mail address is not valid (or leave it empty).";

    /// <summary>Why a new account may not be created now, or null when it may. <paramref name="invite"/> is <c>team/code</c> from an invite link.</summary>
    public async Task<string?> ClosedReasonAsync(string? invite, CancellationToken ct = default)
    {
        // An admin's sign-up link (a bare code) works in every mode, once: a used or expired one is said so even when registration is open.
        if (IsSignupCode(invite))
            return await signups.CheckAsync(invite!, ct) is var status && status == InviteStatus.Valid ? null : ExplainSignup(status);
        var mode = options.Value.Registration;
        if (mode == RegistrationMode.Open || !await AnyAccountAsync(ct)) return null;
        if (mode == RegistrationMode.Closed) return "Registration is closed on this registry. Ask an administrator for an account.";
        if (Split(invite) is var (team, code) && await teamInvites.CheckAsync(team, code, ct) == InviteStatus.Valid) return null;
        return "This registry is invite-only: open the team invite link you were given to register.";
    }

    /// <summary>The address to register with (trimmed; null when left empty), or <see cref="InvalidEmail"/> as the error.</summary>
    public static (string? Email, string? Error) EmailOf(string? input)
    {
        var email = string.IsNullOrWhiteSpace(input) ? null : input.Trim();
        return email is not null && !new EmailAddressAttribute().IsValid(email) ? (null, InvalidEmail) : (email, null);
    }

    /// <summary>
    /// Claims an admin's sign-up link before the account is created, so one link makes one account even when used twice
    /// at once. Returns the claim (to <see cref="SignupCreatedAsync"/> or give back) or why the link can't be used.
    /// </summary>
    public async Task<(string? Claim, string? Error)> ClaimSignupAsync(string? invite, CancellationToken ct = default)
    {
        if (!IsSignupCode(invite)) return (null, null);
        var (id, status) = await signups.ClaimAsync(invite!, ct);
        return id is null ? (null, ExplainSignup(status)) : (id, null);
    }

    /// <summary>The account was created (<paramref name="user"/>) or not (null: the link works again).</summary>
    public Task SignupCreatedAsync(string? claim, RegistryUser? user, CancellationToken ct = default) =>
        claim is null ? Task.CompletedTask : user is null ? signups.ReleaseAsync(claim, ct) : signups.CompleteAsync(claim, user, ct);

    public static string ExplainSignup(InviteStatus status) => status switch
    {
        InviteStatus.Used => "This sign-up link has already been used: each link makes one account. Ask an administrator for a new one.",
        InviteStatus.Expired => "This sign-up link has expired. Ask an administrator for a new one.",
        _ => "This sign-up link is not valid. Check that you copied all of it, or ask an administrator for a new one.",
    };

    private static bool IsSignupCode(string? invite) => !string.IsNullOrWhiteSpace(invite) && !invite.Contains('/');

    /// <summary>Uses the invite (single-use) for the new account; returns the team page to land on, if it joined.</summary>
    public async Task<string?> AcceptInviteAsync(RegistryUser user, string? invite, CancellationToken ct = default) =>
        Split(invite) is var (team, code)
        && await teamInvites.AcceptAsync(Actor.ForUser(user.Id, user.UserName!, false), team, code, ct) == InviteStatus.Joined
            ? $"/teams/{team}"
            : null;

    private async Task<bool> AnyAccountAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(ct);
    }

    private static (string Team, string Code)? Split(string? invite) =>
        (invite ?? "").Split('/', 2) is [var team, var code] ? (team, code) : null;
}
