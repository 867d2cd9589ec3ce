using Microsoft.AspNetCore.Identity;

namespace Registry.Core.Identity;

/// <summary>An account. Its <see cref="IdentityUser.UserName"/> is also the name of its entity (namespace).</summary>
public class RegistryUser : IdentityUser
{
    public bool IsAdmin { get; set; }
    public bool IsDisabled { get; set; }
    public string RealName { get; set; } = "";
    /// <summary>Version of the terms of service this user agreed to; null = never.</summary>
    public int? AcceptedTermsVersion { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}
