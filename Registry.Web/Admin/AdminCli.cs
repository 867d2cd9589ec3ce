using Registry.Core.Access;
using Registry.Core.Data.Postgres;
using Registry.Core.Identity.AccessTokens;

namespace Registry.Web.Admin;

/// <summary>
/// <c>dotnet run --project Registry.Web -- admin …</c>: set-up and scripting against the same data folder as the server.
/// Results go to stdout (a new token alone on the last line), errors to stderr with exit code 1 (2 for usage).
/// </summary>
public static class AdminCli
{
    /// <summary>The CLI acts as a system administrator; audit events name it.</summary>
    internal static readonly Actor CliActor = new("admin-cli", "admin-cli", true, TokenScope.Admin);

    private const string Usage = """
        usage: admin <command>
          user add <name> [--admin] [--accept-terms] [--email E] [--password P]
          user admin <name> [--revoke]
          user password <name> [--password P]
          user delete <name>
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
            var code = args switch
            {
                ["user", "add", var name, .. var rest] => await UserCommands.AddUserAsync(sp, name, Options.Parse(rest, "--email", "--password"), rest.Contains("--admin"), rest.Contains("--accept-terms")),
                ["user", "password", var name, .. var rest] => await UserCommands.ResetPasswordAsync(sp, name, Options.Parse(rest, "--password").GetValueOrDefault("--password")),
                ["user", "admin", var name, .. var rest] => await UserCommands.SetAdminAsync(sp, name, !rest.Contains("--revoke")),
                ["user", "delete", var name] => await UserCommands.DeleteUserAsync(sp, name),
                ["token", "create", var name, .. var rest] => await LibraryCommands.CreateTokenAsync(sp, name, Options.Parse(rest, "--label", "--scope", "--collection", "--expires")),
                ["collection", "private" or "public", var path] => await LibraryCommands.SetPrivateAsync(sp, path, args[1] == "private"),
                ["tag", "freeze" or "unfreeze", var reference, var arch] => await LibraryCommands.FreezeAsync(sp, reference, arch, args[1] == "freeze"),
                ["key", "delete", var fingerprint] => await KeyCommands.DeleteKeyAsync(sp, fingerprint),
                ["gc", .. var rest] when rest.All(r => r == "--dry-run") => await StorageCommands.CollectGarbageAsync(sp, rest.Length > 0),
                ["verify"] => await StorageCommands.VerifyAsync(sp),
                ["backup", var folder, .. var rest] when rest.All(r => r == "--copy") => await BackupCommands.BackupAsync(sp, folder, rest),
                ["quota", var entity, var size] => await StorageCommands.SetQuotaAsync(sp, entity, size),
                ["help"] or [] => Help(),
                _ => Fail(2, $"unknown or incomplete admin command '{string.Join(' ', args)}'; run 'admin help' for usage"),
            };
            // On a shared PostgreSQL database every node drops its cached reads (the signal file tells only this folder's).
            if (sp.GetService<PostgresWriteFeed>() is { } feed) await feed.TellOnceAsync();
            return code;
        }
        catch (ArgumentException e)
        {
            return Fail(2, e.Message);
        }
    }

    private static int Help()
    {
        Console.WriteLine(Usage);
        return 0;
    }

    internal static int Fail(int code, string message)
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
