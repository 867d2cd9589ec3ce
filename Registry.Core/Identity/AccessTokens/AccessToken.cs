namespace Registry.Core.Identity.AccessTokens;

/// <summary>What a token may do. A token never grants more than its user has.</summary>
public enum TokenScope
{
    /// <summary>Pull and search.</summary>
    Read = 0,
    /// <summary>Also push, retag, freeze and delete.</summary>
    Write = 1,
    /// <summary>Also settings and administration (for admins).</summary>
    Admin = 2,
}

/// <summary>An API token. Only the SHA-256 of the secret is stored; the secret is shown once.</summary>
public class AccessToken
{
    public string Id { get; set; } = Ids.New();
    public string UserId { get; set; } = "";
    public RegistryUser? User { get; set; }
    public string Label { get; set; } = "";
    public string SecretHash { get; set; } = "";
    public TokenScope Scope { get; set; } = TokenScope.Write;
    /// <summary>When set, the token acts only on this collection (robot tokens for clusters and CI).</summary>
    public string? CollectionId { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }

    public bool IsActive(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
