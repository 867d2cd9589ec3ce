using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Registry.Core.Identity.AccessTokens;

/// <summary>
/// Encrypts token secrets for storage with ASP.NET Core Data Protection (its keys live in the data folder, next to the
/// database but not in it: a copy of registry.db alone reveals no token). Decrypted only for sregistry-cli's signature
/// check and to hand a user their own CLI secret (<see cref="CliSecrets"/>).
/// </summary>
public sealed class TokenSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("Registry.AccessTokens.Secret.v1");

    public string Protect(string secret) => protector.Protect(secret);

    /// <summary>The secret, or null when it can't be decrypted (keys lost or replaced): that token then signs nothing.</summary>
    public string? Unprotect(string stored)
    {
        try { return protector.Unprotect(stored); }
        catch (CryptographicException) { return null; }
    }
}
