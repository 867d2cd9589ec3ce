using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Invitations;
using Registry.Core.Teams;

namespace Registry.Core.Identity;

/// <summary>A link taken for an account being created: an admin's sign-up link (<see cref="Team"/> null) or a team invite link.</summary>
public sealed record InviteClaim(string Id, string? Team);

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
        if (Split(invite) is not var (team, code)) return ExplainTeamLink("", InviteStatus.NotFound);
        return await teamInvites.CheckAsync(team, code, ct) is var linkStatus && linkStatus == InviteStatus.Valid ? null : ExplainTeamLink(team, linkStatus);
    }

    /// <summary>The address to register with (trimmed; null when left empty), or <see cref="InvalidEmail"/> as the error.</summary>
    public static (string? Email, string? Error) EmailOf(string? input)
    {
        var email = string.IsNullOrWhiteSpace(input) ? null : input.Trim();
        return email is not null && !new EmailAddressAttribute().IsValid(email) ? (null, InvalidEmail) : (email, null);
    }

    /// <summary>
    /// Creates an account through <paramref name="create"/> under the invite it is made with: an admin's sign-up link, or in
    /// invite-only mode the team invite link that lets the person in, is claimed first and given back if creating fails,
    /// so one link makes one account even when two people use it at once (the other gets the reason as the error). A team
    /// link then joins the new account to its team. Returns the result and the page to land on (the team's), if any.
    /// </summary>
    public async Task<(IdentityResult Result, string? Landing)> CreateAccountAsync(string? invite, RegistryUser user, Func<Task<IdentityResult>> create, CancellationToken ct = default)
    {
        var (claim, refused) = await ClaimSignupAsync(invite, ct);
        if (refused is not null) return (IdentityResult.Failed(new IdentityError { Code = "InviteUsed", Description = refused }), null);
        var result = await create();
        var landing = await SignupCreatedAsync(claim, result.Succeeded ? user : null, ct);
        if (result.Succeeded) landing ??= await AcceptInviteAsync(user, invite, ct); // open mode: the team link is a bonus, not a ticket
        return (result, landing);
    }

    /// <summary>Claims the link an account is about to be created with (see <see cref="CreateAccountAsync"/>), or says why it can't be used.</summary>
    public async Task<(InviteClaim? Claim, string? Error)> ClaimSignupAsync(string? invite, CancellationToken ct = default)
    {
        if (IsSignupCode(invite))
        {
            var (id, status) = await signups.ClaimAsync(invite!, ct);
            return id is null ? (null, ExplainSignup(status)) : (new InviteClaim(id, null), null);
        }
        if (Split(invite) is not var (team, code) || options.Value.Registration != RegistrationMode.InviteOnly || !await AnyAccountAsync(ct)) return (null, null);
        var (linkId, linkStatus) = await teamInvites.ClaimAsync(team, code, ct);
        return linkId is null ? (null, ExplainTeamLink(team, linkStatus)) : (new InviteClaim(linkId, team), null);
    }

    /// <summary>The account was created (<paramref name="user"/>) or not (null: the link works again). Returns the team page a team link joined.</summary>
    public async Task<string?> SignupCreatedAsync(InviteClaim? claim, RegistryUser? user, CancellationToken ct = default)
    {
        if (claim is null) return null;
        if (user is null)
        {
            await (claim.Team is null ? signups.ReleaseAsync(claim.Id, ct) : teamInvites.ReleaseAsync(claim.Id, ct));
            return null;
        }
        if (claim.Team is null)
        {
            await signups.CompleteAsync(claim.Id, user, ct);
            return null;
        }
        return $"/teams/{await teamInvites.CompleteAsync(claim.Id, user, ct)}";
    }

    public static string ExplainTeamLink(string team, InviteStatus status) => status switch
    {
        InviteStatus.Used => $"This invite link to team {team} has already been used: each link makes one account. Ask an owner of {team} for a new link.",
        InviteStatus.Expired => $"This invite link to team {team} has expired. Ask an owner of {team} for a new link.",
        _ => "This registry is invite-only: open the team invite link you were given to register.",
    };

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
