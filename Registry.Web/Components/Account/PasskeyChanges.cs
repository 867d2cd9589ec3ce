using System.Buffers.Text;
using Microsoft.AspNetCore.Identity;
using Registry.Core.Identity;

namespace Registry.Web.Components.Account;

/// <summary>Adding and deleting a user's passkeys for the Passkeys page, which only shows the answer and redirects.</summary>
public sealed class PasskeyChanges(UserManager<RegistryUser> users, SignInManager<RegistryUser> signIn)
{
    public const int MaxPasskeyCount = 100;

    /// <summary>Adds the passkey the browser created: its credential id (base64url) to name it next, or the error to show.</summary>
    public async Task<(string? CredentialId, string? Error)> AddAsync(RegistryUser user, PasskeyInputModel input, int currentCount)
    {
        if (!string.IsNullOrEmpty(input.Error)) return (null, $"Error: {input.Error}");
        if (string.IsNullOrEmpty(input.CredentialJson)) return (null, "Error: The browser did not provide a passkey.");
        if (currentCount >= MaxPasskeyCount) return (null, "Error: You have reached the maximum number of allowed passkeys.");

        var attestation = await signIn.PerformPasskeyAttestationAsync(input.CredentialJson);
        if (!attestation.Succeeded) return (null, $"Error: Could not add the passkey: {attestation.Failure.Message}");
        var added = await users.AddOrUpdatePasskeyAsync(user, attestation.Passkey);
        if (!added.Succeeded) return (null, "Error: The passkey could not be added to your account.");
        return (Base64Url.EncodeToString(attestation.Passkey.CredentialId), null);
    }

    /// <summary>Deletes the passkey with this credential id (base64url, as posted); returns the status message.</summary>
    public async Task<string> DeleteAsync(RegistryUser user, string? credentialId)
    {
        byte[] id;
        try
        {
            id = Base64Url.DecodeFromChars(credentialId);
        }
        catch (FormatException)
        {
            return "Error: The specified passkey ID had an invalid format.";
        }
        var result = await users.RemovePasskeyAsync(user, id);
        return result.Succeeded ? "Passkey deleted successfully." : "Error: The passkey could not be deleted.";
    }
}
