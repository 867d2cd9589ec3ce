using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Registry.Core.Identity;

namespace Registry.Web.Security;

/// <summary>
/// The sign-in form's decision, by password or by passkey, with its audit record. A disabled account is refused (and
/// audited as such) only after its password or passkey proved right; otherwise an unknown name, a disabled account and a
/// wrong password answer alike. The page only shows the answer and redirects.
/// </summary>
public sealed class LoginSignIn(HttpContext context, UserManager<RegistryUser> users, SignInManager<RegistryUser> signIn)
{
    /// <summary>The sign-in result, or null when the account is disabled (already audited as refused).</summary>
    public async Task<SignInResult?> PasskeyAsync(string credentialJson, string attemptedName)
    {
        var result = await signIn.PasskeySignInAsync(credentialJson);
        var user = result.Succeeded ? await PasskeyUserAsync(credentialJson) : null;
        if (user?.IsDisabled == true)
        {
            await signIn.SignOutAsync();
            await RefuseDisabledAsync(user);
            return null;
        }
        await AuditAsync(user, result, "passkey", attemptedName);
        return result;
    }

    /// <summary>The sign-in result, or null when the account is disabled (already audited as refused).</summary>
    public async Task<SignInResult?> PasswordAsync(string nameOrEmail, string password, bool rememberMe)
    {
        // Sign-in is by user name; an e-mail address is accepted too. An unknown name, a disabled account and a wrong
        // password answer alike (message, page and time); only the right password learns that an account is disabled.
        // Wrong passwords do not lock the account (anyone could lock anyone out): the rate limiter's per-address
        // account limit slows guessing instead.
        var user = nameOrEmail.Contains('@') ? await users.FindByEmailAsync(nameOrEmail) : await users.FindByNameAsync(nameOrEmail);
        SignInResult result;
        if (!await PasswordCheck.MatchesAsync(users, user, password))
            result = SignInResult.Failed;
        else if (user!.IsDisabled)
        {
            await RefuseDisabledAsync(user);
            return null;
        }
        else result = await signIn.PasswordSignInAsync(user, password, rememberMe, lockoutOnFailure: false);
        await AuditAsync(user, result, "password", nameOrEmail);
        return result;
    }

    private Task RefuseDisabledAsync(RegistryUser user) => SignInAudit.RecordAsync(context, user, "signin.refused", "account disabled");

    private Task AuditAsync(RegistryUser? user, SignInResult result, string method, string attemptedName) =>
        SignInAudit.RecordAsync(context, user,
            result.Succeeded ? "signin" : result.IsLockedOut ? "signin.lockedout" : result.RequiresTwoFactor ? "signin.twofactor" : "signin.failed",
            method, attemptedName: attemptedName);

    // The assertion already proved the credential; its user handle names the account (Identity's handle is the user id).
    private async Task<RegistryUser?> PasskeyUserAsync(string credentialJson)
    {
        try
        {
            using var json = JsonDocument.Parse(credentialJson);
            var handle = json.RootElement.GetProperty("response").GetProperty("userHandle").GetString();
            return handle is null ? null : await users.FindByIdAsync(Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(handle)));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
