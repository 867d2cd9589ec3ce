using System.Security.Cryptography;

namespace Registry.Tests.Infrastructure;

/// <summary>Users and tokens made through the admin CLI of a <see cref="RegistryServer"/>, on its data, as an operator would.</summary>
public static class AdminCli
{
    /// <summary>Like <see cref="RegistryServer.AdminAsync"/> but throws (with the output) on a non-zero exit code.</summary>
    public static async Task<ProcessResult> AdminOkAsync(this RegistryServer server, params string[] args)
    {
        var r = await server.AdminAsync(args);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"admin {string.Join(' ', args)} failed: {r}");
        return r;
    }

    /// <summary><c>admin user add NAME [--admin] --password P</c> (its entity has the same name); returns the random password.</summary>
    public static async Task<string> CreateUserAsync(this RegistryServer server, string name, bool admin = false)
    {
        var password = "Pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) + "-aZ9!";
        List<string> args = ["user", "add", name];
        if (admin) args.Add("--admin");
        args.AddRange(["--password", password]);
        await server.AdminOkAsync([.. args]);
        return password;
    }

    /// <summary><c>admin token create NAME</c>; the token is the last line of stdout.</summary>
    public static async Task<string> CreateTokenAsync(this RegistryServer server, string name)
    {
        var r = await server.AdminOkAsync("token", "create", name);
        var token = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (string.IsNullOrEmpty(token))
            throw new InvalidOperationException($"admin token create {name} printed no token: {r}");
        return token;
    }

    /// <summary>A user with a password and a token.</summary>
    public static async Task<TestUser> NewUserAsync(this RegistryServer server, string name, bool admin = false)
    {
        var password = await server.CreateUserAsync(name, admin);
        return new TestUser(name, password, await server.CreateTokenAsync(name));
    }
}

public sealed record TestUser(string Name, string Password, string Token);
