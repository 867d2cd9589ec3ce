using Registry.Core.Access;
using Registry.Core.Identity.AccessTokens;

namespace Registry.Core.Sregistry;

/// <summary>Who signed: the token's actor, its user's terms version and a key naming the token (for rate limits).</summary>
public sealed record SregistryCaller(Actor Actor, int AcceptedTermsVersion, DateTime? ExpiresAt, string TokenKey);

/// <summary>
/// Checks an sregistry-cli signature against the signing user's live tokens (their secrets decrypted for the check only).
/// The matching token then goes through <see cref="AccessTokenService.AuthenticateAsync"/> like a bearer token, so
/// revocation, expiry, a disabled user and the admin-scope rule hold the same way.
/// </summary>
public sealed class SregistryAuth(AccessTokenService tokens, TimeProvider clock)
{
    /// <summary>
    /// The caller when <paramref name="credential"/> signs <c>kind|collection|timestamp|name|tag|</c> with one of its user's
    /// tokens and is fresh; otherwise an Unauthorized result saying why (never which part of the check failed for a known user).
    /// </summary>
    public async Task<Result<SregistryCaller>> VerifyAsync(SregistryCredential credential, string kind, string collection, string name, string tag,
        string address, CancellationToken ct = default)
    {
        if (credential.Kind != kind) return Result.Unauthorized($"this request needs a '{kind}' signature, not '{credential.Kind}'");
        if (!SregistrySignature.IsFresh(credential, clock.GetUtcNow().UtcDateTime))
            return Result.Unauthorized($"the signature's timestamp {credential.Timestamp} is outside the accepted hours (now and the previous hour, UTC): check the clock");
        var message = SregistrySignature.Message(kind, collection, credential.Timestamp, name, tag);
        foreach (var secret in await tokens.SigningSecretsAsync(credential.UserName, ct))
        {
            if (!SregistrySignature.Matches(secret, message, credential.Signature)) continue;
            var found = await tokens.AuthenticateAsync(secret, address, ct);
            if (found is not { } f) break;
            return new SregistryCaller(f.Actor, f.AcceptedTermsVersion, f.ExpiresAt, Ids.Sha256Hex(secret)[..32]);
        }
        return Result.Unauthorized("invalid signature: the user, token or signed fields do not match a live token " +
            "(tokens created before sregistry-cli support need replacing: create a new one at /auth/tokens)");
    }
}
