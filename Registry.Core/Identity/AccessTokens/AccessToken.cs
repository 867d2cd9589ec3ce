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

/// <summary>
/// An API token. The SHA-256 of the secret finds it; the secret itself is shown once and kept only encrypted
/// (<see cref="ProtectedSecret"/>), because sregistry-cli's HMAC signatures can only be checked with it.
/// </summary>
public class AccessToken
{
    public string Id { get; set; } = Ids.New();
    public string UserId { get; set; } = "";
    public RegistryUser? User { get; set; }
    public string Label { get; set; } = "";
    public string SecretHash { get; set; } = "";
    /// <summary>
    /// The secret encrypted with ASP.NET Core Data Protection (keys in the data folder), the HMAC key of sregistry-cli's
    /// signatures. Null for tokens created before it was kept: they work as bearer tokens only.
    /// </summary>
    public string? ProtectedSecret { get; set; }
    public TokenScope Scope { get; set; } = TokenScope.Write;
    /// <summary>
    /// The user's CLI secret (<see cref="CliSecrets"/>): a password for <c>/v2/</c> only, never a Library API bearer token
    /// or an sregistry-cli signing key. At most one live per user.
    /// </summary>
    public bool IsCliSecret { get; set; }
    /// <summary>When set, the token acts only on this collection (robot tokens for clusters and CI).</summary>
    public string? CollectionId { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }

    public bool IsActive(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
