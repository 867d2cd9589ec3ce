using Microsoft.AspNetCore.Identity;
using Registry.Core.Access;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Terms;

namespace Registry.Web.Admin;

/// <summary>
/// <c>dotnet run --project Registry.Web -- admin …</c>: set-up and scripting against the same data folder as the server.
/// Results go to stdout (a new token alone on the last line), errors to stderr with exit code 1 (2 for usage).
/// </summary>
public static partial class AdminCli
{
    /// <summary>The CLI acts as a system administrator; audit events name it.</summary>
    private static readonly Actor System = new("admin-cli", "admin-cli", true, TokenScope.Admin);

    private const string Usage = """
        usage: admin <command>
          user add <name> [--admin] [--accept-terms] [--email E] [--password P]
          user admin <name> [--revoke]
          user password <name> [--password P]
          token create <name> [--label L] [--scope read|write|admin] [--collection entity/collection] [--expires 30d]
          collection private|public <entity>/<collection>
          tag freeze|unfreeze <entity>/<collection>/<container>:<tag> <arch>
          quota <entity> <size like 500M, 20G, 1T | unlimited | default>
          key delete <fingerprint>
          gc [--dry-run]
          verify
          backup <folder> [--copy]                 (online snapshot of a SQLite registry)
          restore <backup-folder> [--force] [--copy]   (every server on the data folder stopped)
        """;

    public static void QuietLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Error); // query-shape advice is for developers, not a script's stderr
    }

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        try
        {
            return args switch
            {
                ["user", "add", var name, .. var rest] => await AddUserAsync(sp, name, Options.Parse(rest, "--email", "--password"), rest.Contains("--admin"), rest.Contains("--accept-terms")),
                ["user", "password", var name, .. var rest] => await ResetPasswordAsync(sp, name, Options.Parse(rest, "--password").GetValueOrDefault("--password")),
                ["user", "admin", var name, .. var rest] => await SetAdminAsync(sp, name, !rest.Contains("--revoke")),
                ["token", "create", var name, .. var rest] => await CreateTokenAsync(sp, name, Options.Parse(rest, "--label", "--scope", "--collection", "--expires")),
                ["collection", "private" or "public", var path] => await SetPrivateAsync(sp, path, args[1] == "private"),
                ["tag", "freeze" or "unfreeze", var reference, var arch] => await FreezeAsync(sp, reference, arch, args[1] == "freeze"),
                ["key", "delete", var fingerprint] => await DeleteKeyAsync(sp, fingerprint),
                ["gc", .. var rest] when rest.All(r => r == "--dry-run") => await CollectGarbageAsync(sp, rest.Length > 0),
                ["verify"] => await VerifyAsync(sp),
                ["backup", var folder, .. var rest] when rest.All(r => r == "--copy") => await BackupAsync(sp, folder, rest),
                ["quota", var entity, var size] => await SetQuotaAsync(sp, entity, size),
                ["help"] or [] => Help(),
                _ => Fail(2, $"unknown or incomplete admin command '{string.Join(' ', args)}'; run 'admin help' for usage"),
            };
        }
        catch (ArgumentException e)
        {
            return Fail(2, e.Message);
        }
    }

    /// <param name="acceptTerms">The person (or the robot account's owner) agreed to the terms outside the web UI; without it their tokens
    /// are refused until they sign in and agree.</param>
    private static async Task<int> AddUserAsync(IServiceProvider sp, string name, Dictionary<string, string> options, bool admin, bool acceptTerms)
    {
        var users = sp.GetRequiredService<UserManager<RegistryUser>>();
        // An address an administrator gives is taken as verified (it proves control of keys with that address: KeyOwnership).
        var email = options.GetValueOrDefault("--email");
        var user = new RegistryUser { UserName = name, Email = email, EmailConfirmed = email is not null, IsAdmin = admin };
        var password = options.GetValueOrDefault("--password");
        var created = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        if (!created.Succeeded) return Fail(1, $"cannot add user {name}: {string.Join(" ", created.Errors.Select(e => e.Description))}");
        var terms = sp.GetRequiredService<TermsService>();
        if (acceptTerms) await terms.RecordAgreementAsync(System, user.Id);
        Console.WriteLine($"added user {name}{(user.IsAdmin ? " (admin)" : "")}");
        if (!acceptTerms && terms.CurrentVersion > 0)
            Console.WriteLine($"{name} must agree to the terms of service (version {terms.CurrentVersion}) in the web UI before their tokens work; --accept-terms records that they already did");
        return 0;
    }

    private static async Task<int> SetAdminAsync(IServiceProvider sp, string name, bool admin)
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
    private static async Task<int> ResetPasswordAsync(IServiceProvider sp, string name, string? password)
    {
        var reset = await sp.GetRequiredService<PasswordResets>().ResetAsync(System, name, password);
        if (!reset.Succeeded) return Fail(1, $"cannot reset the password of {name}: {reset.Message}");
        Console.WriteLine($"password of {name} reset; their browser sign-ins have ended (API tokens stay valid)");
        if (reset.Value!.Generated) Console.WriteLine(reset.Value.Password);
        return 0;
    }

    private static int Help()
    {
        Console.WriteLine(Usage);
        return 0;
    }

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine(message);
        return code;
    }

    /// <summary>Parses <c>--key value</c> pairs among the allowed keys; unknown options are an error.</summary>
    private static class Options
    {
        public static Dictionary<string, string> Parse(string[] rest, params string[] allowed)
        {
            var result = new Dictionary<string, string>();
            for (var i = 0; i < rest.Length; i++)
            {
                if (rest[i] is "--admin" or "--revoke" or "--accept-terms") continue;
                if (!allowed.Contains(rest[i])) throw new ArgumentException($"unknown option {rest[i]}; run 'admin help' for usage");
                if (i + 1 >= rest.Length) throw new ArgumentException($"{rest[i]} needs a value");
                result[rest[i]] = rest[++i];
            }
            return result;
        }
    }
}
