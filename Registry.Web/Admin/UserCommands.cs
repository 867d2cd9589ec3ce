using Microsoft.AspNetCore.Identity;
using Registry.Core.Identity;
using Registry.Core.Terms;
using static Registry.Web.Admin.AdminCli;

namespace Registry.Web.Admin;

/// <summary><c>user add</c>, <c>user admin</c>, <c>user password</c> and <c>user delete</c>.</summary>
internal static class UserCommands
{
    /// <param name="acceptTerms">The person (or the robot account's owner) agreed to the terms outside the web UI; without it their tokens
    /// are refused until they sign in and agree.</param>
    public static async Task<int> AddUserAsync(IServiceProvider sp, string name, Dictionary<string, string> options, bool admin, bool acceptTerms)
    {
        var users = sp.GetRequiredService<UserManager<RegistryUser>>();
        // An address an administrator gives is taken as verified (it proves control of keys with that address: KeyOwnership).
        var email = options.GetValueOrDefault("--email");
        var user = new RegistryUser { UserName = name, Email = email, EmailConfirmed = email is not null, IsAdmin = admin };
        var password = options.GetValueOrDefault("--password");
        var created = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        if (!created.Succeeded) return Fail(1, $"cannot add user {name}: {string.Join(" ", created.Errors.Select(e => e.Description))}");
        var terms = sp.GetRequiredService<TermsService>();
        if (acceptTerms) await terms.RecordAgreementAsync(CliActor, user.Id);
        Console.WriteLine($"added user {name}{(user.IsAdmin ? " (admin)" : "")}");
        if (!acceptTerms && terms.CurrentVersion > 0)
            Console.WriteLine($"{name} must agree to the terms of service (version {terms.CurrentVersion}) in the web UI before their tokens work; --accept-terms records that they already did");
        return 0;
    }

    public static async Task<int> SetAdminAsync(IServiceProvider sp, string name, bool admin)
    {
        var users = sp.GetRequiredService<UserManager<RegistryUser>>();
        var user = await users.FindByNameAsync(name);
        if (user is null) return Fail(1, $"no user named {name}");
        user.IsAdmin = admin;
        await users.UpdateAsync(user);
        if (!admin) await users.UpdateSecurityStampAsync(user); // the sign-ins that carry the admin role end
        Console.WriteLine($"{name} is {(admin ? "now" : "no longer")} an admin");
        return 0;
    }

    /// <summary>Without <c>--password</c>, a random one is printed alone on the last line of stdout (as a token is).</summary>
    public static async Task<int> ResetPasswordAsync(IServiceProvider sp, string name, string? password)
    {
        var reset = await sp.GetRequiredService<PasswordResets>().ResetAsync(CliActor, name, password);
        if (!reset.Succeeded) return Fail(1, $"cannot reset the password of {name}: {reset.Message}");
        Console.WriteLine($"password of {name} reset; their browser sign-ins have ended (API tokens stay valid)");
        if (reset.Value!.Generated) Console.WriteLine(reset.Value.Password);
        return 0;
    }

    /// <summary>As on <c>/admin</c>: refused while the user's namespace holds collections or they alone own a team.</summary>
    public static async Task<int> DeleteUserAsync(IServiceProvider sp, string name)
    {
        var user = await sp.GetRequiredService<UserManager<RegistryUser>>().FindByNameAsync(name);
        if (user is null) return Fail(1, $"no user named {name}");
        var deleted = await sp.GetRequiredService<UserDeletion>().DeleteAsync(CliActor, user.Id);
        if (!deleted.Succeeded) return Fail(1, $"cannot delete {name}: {deleted.Message}");
        Console.WriteLine($"deleted user {name} with their tokens, memberships, stars and unfinished uploads");
        return 0;
    }
}
