using Microsoft.AspNetCore.Identity;
using Registry.Core.Identity;
using Registry.Core.Teams;

namespace Registry.Web.Components.Account;

/// <summary>The registration mode, for password and external accounts alike.</summary>
internal static class RegistrationGate
{
    /// <summary>Why a new account may not be created now, or null when it may. The very first account (the admin) is always allowed.</summary>
    public static async Task<string?> ClosedReasonAsync(AccountOptions options, UserManager<RegistryUser> users, TeamService teams, string? invite)
    {
        var mode = options.Registration;
        if (mode == RegistrationMode.Open || !users.Users.Any()) return null;
        if (mode == RegistrationMode.Closed) return "Registration is closed on this registry. Ask an administrator for an account.";
        if ((invite ?? "").Split('/', 2) is [var team, var code] && await teams.CheckInviteAsync(team, code) == InviteStatus.Valid) return null;
        return "This registry is invite-only: open the team invite link you were given to register.";
    }

    /// <summary>Uses the invite (single-use) for the new account; returns the team page to land on, if joined.</summary>
    public static async Task<string?> AcceptInviteAsync(TeamService teams, RegistryUser user, string? invite) =>
        (invite ?? "").Split('/', 2) is [var team, var code]
        && await teams.AcceptInviteAsync(Registry.Core.Access.Actor.ForUser(user.Id, user.UserName!, false), team, code) == InviteStatus.Joined
            ? $"/teams/{team}"
            : null;
}
