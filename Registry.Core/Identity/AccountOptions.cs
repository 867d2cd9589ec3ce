namespace Registry.Core.Identity;

/// <summary>Who may create an account.</summary>
public enum RegistrationMode
{
    /// <summary>Anyone may register.</summary>
    Open,
    /// <summary>Only someone holding a valid team invite link may register.</summary>
    InviteOnly,
    /// <summary>Nobody registers in the browser; admins add users with the admin CLI. The very first account is always allowed.</summary>
    Closed,
}

/// <summary>Accounts, terms of service and teams, section <c>Accounts</c> in appsettings.json (env <c>Accounts__Registration</c>).</summary>
public sealed class AccountOptions
{
    public const string SectionName = "Accounts";

    /// <summary>Registration mode: <c>Open</c>, <c>InviteOnly</c> (team invite links) or <c>Closed</c>.</summary>
    public RegistrationMode Registration { get; set; } = RegistrationMode.Open;

    /// <summary>Version of the terms of service users must agree to; raise it to ask everyone again. 0 = no terms.</summary>
    public int TermsVersion { get; set; }

    /// <summary>Markdown file holding the terms (relative paths resolve against the working directory); wins over <see cref="TermsText"/>.</summary>
    public string TermsFile { get; set; } = "";

    /// <summary>The terms as Markdown, used when <see cref="TermsFile"/> is empty.</summary>
    public string TermsText { get; set; } = "";

    /// <summary>Whether every signed-in user may create teams (false: admins only).</summary>
    public bool UsersCanCreateTeams { get; set; } = true;

    /// <summary>How long a team invite link stays valid.</summary>
    public TimeSpan InviteLifetime { get; set; } = TimeSpan.FromDays(7);
}
