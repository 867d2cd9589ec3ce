using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Registry.Core.Identity;

/// <summary>A password an admin set: <see cref="Generated"/> when the registry made it up (to be shown once).</summary>
public sealed record PasswordReset(string UserName, string Password, bool Generated);

/// <summary>
/// The registry sends no mail, so an admin resets forgotten passwords (web UI and <c>admin user password</c>). The new
/// password passes the same rules as at sign-up; the security stamp changes, so every sign-in of the user ends at once.
/// API tokens are separate credentials and stay valid.
/// </summary>
public sealed class PasswordResets(UserManager<RegistryUser> users, IDbContextFactory<RegistryDbContext> dbFactory, AccountChanges changes)
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public async Task<Result<PasswordReset>> ResetAsync(Actor actor, string userName, string? password, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return Result.Forbidden("only admins reset passwords");
        var user = await users.FindByNameAsync(userName);
        if (user is null) return Result.NotFound($"no user named {userName}");
        var generated = string.IsNullOrEmpty(password);
        password = generated ? await GenerateAsync(user) : password!;
        var errors = await ValidateAsync(user, password);
        if (errors.Count > 0) return Result.Invalid(string.Join(" ", errors));

        var token = await users.GeneratePasswordResetTokenAsync(user);
        var reset = await users.ResetPasswordAsync(user, token, password); // also changes the security stamp
        if (!reset.Succeeded) return Result.Invalid(string.Join(" ", reset.Errors.Select(e => e.Description)));
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            AuditLog.Record(db, actor, "user.password", user.UserName!);
            await db.SaveChangesAsync(ct);
        }
        changes.Announce(user.Id);
        return new PasswordReset(user.UserName!, password, generated);
    }

    private async Task<List<string>> ValidateAsync(RegistryUser user, string password)
    {
        var errors = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            errors.AddRange(result.Errors.Select(e => e.Description));
        }
        return errors;
    }

    /// <summary>Four groups of five characters without look-alikes (no l, o, 0, 1), redrawn until the password rules accept it.</summary>
    private async Task<string> GenerateAsync(RegistryUser user)
    {
        while (true)
        {
            var password = string.Join('-', Enumerable.Range(0, 4).Select(_ => RandomNumberGenerator.GetString(Alphabet, 5)));
            if ((await ValidateAsync(user, password)).Count == 0) return password;
        }
    }
}
