namespace Registry.Web.Security;

/// <summary>Request limits, section <c>RateLimits</c>. API calls are counted per token (not per address, so a cluster behind NAT is fine).</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Library API requests per minute for one token.</summary>
    public int ApiPerTokenPerMinute { get; set; } = 6000;

    /// <summary>Library API requests per minute for one address without a token.</summary>
    public int AnonymousPerAddressPerMinute { get; set; } = 1200;

    /// <summary>Sign-in and registration attempts per minute from one address.</summary>
    public int SignInPerAddressPerMinute { get; set; } = 20;

    /// <summary>
    /// Sign-in attempts per minute for one account name from one address. Per address so that nobody can lock a user out
    /// from elsewhere; wrong passwords do not lock an account either (Identity lockout is off for the sign-in form).
    /// </summary>
    public int SignInPerAccountPerMinute { get; set; } = 10;
}
