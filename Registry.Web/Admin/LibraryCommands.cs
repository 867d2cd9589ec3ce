using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Images;
using Registry.Core.Tags;

using static Registry.Web.Admin.AdminCli;

namespace Registry.Web.Admin;

/// <summary><c>token create</c>, <c>collection private|public</c> and <c>tag freeze|unfreeze</c>.</summary>
internal static class LibraryCommands
{
    public static async Task<int> CreateTokenAsync(IServiceProvider sp, string name, Dictionary<string, string> options)
    {
        var user = await sp.GetRequiredService<UserManager<RegistryUser>>().FindByNameAsync(name);
        if (user is null) return Fail(1, $"no user named {name}");
        var scope = options.GetValueOrDefault("--scope", "write") switch
        {
            "read" => TokenScope.Read,
            "write" => TokenScope.Write,
            "admin" => TokenScope.Admin,
            var other => throw new ArgumentException($"--scope must be read, write or admin, not {other}"),
        };
        DateTime? expires = options.TryGetValue("--expires", out var e) ? DateTime.UtcNow + ParseDuration(e) : null;
        string? collectionId = null;
        if (options.TryGetValue("--collection", out var path))
        {
            var collection = await FindCollectionAsync(sp, path);
            if (collection is null) return Fail(1, $"no collection {path}");
            collectionId = collection.Id;
        }
        var created = await sp.GetRequiredService<AccessTokenService>()
            .CreateAsync(CliActor, user.Id, options.GetValueOrDefault("--label", "cli"), scope, collectionId, expires);
        if (!created.Succeeded) return Fail(1, created.Message);
        Console.WriteLine($"token for {name} ({created.Value!.Token.Scope.ToString().ToLowerInvariant()}{(expires is null ? "" : $", expires {expires:u}")}):");
        Console.WriteLine(created.Value.Secret);
        return 0;
    }

    public static async Task<int> SetPrivateAsync(IServiceProvider sp, string path, bool isPrivate)
    {
        var collection = await FindCollectionAsync(sp, path);
        if (collection is null) return Fail(1, $"no collection {path}");
        var result = await sp.GetRequiredService<CollectionService>().SetPrivateAsync(CliActor, collection.Id, isPrivate);
        if (!result.Succeeded) return Fail(1, result.Message);
        Console.WriteLine($"{path} is now {(isPrivate ? "private" : "public")}");
        return 0;
    }

    public static async Task<int> FreezeAsync(IServiceProvider sp, string reference, string arch, bool frozen)
    {
        var parsed = ImageRef.Parse(reference, sp.GetRequiredService<IOptions<RegistryOptions>>().Value);
        if (!parsed.Succeeded) return Fail(1, parsed.Message);
        var r = parsed.Value!;
        var container = await sp.GetRequiredService<ContainerService>().FindAsync(CliActor, r.Entity, r.Collection, r.Container);
        if (!container.Succeeded) return Fail(1, container.Message);
        var result = await sp.GetRequiredService<TagService>().FreezeAsync(CliActor, container.Value!.Id, arch, r.Tag, frozen);
        if (!result.Succeeded) return Fail(1, result.Message);
        Console.WriteLine($"{reference} ({arch}) is {(frozen ? "frozen" : "no longer frozen")}");
        return 0;
    }

    private static async Task<Collection?> FindCollectionAsync(IServiceProvider sp, string path)
    {
        var parts = path.Split('/');
        if (parts.Length != 2) throw new ArgumentException($"'{path}' is not entity/collection");
        var found = await sp.GetRequiredService<CollectionService>().FindAsync(CliActor, parts[0], parts[1]);
        return found.Value;
    }

    private static TimeSpan ParseDuration(string text)
    {
        var m = Regex.Match(text, "^([0-9]{1,5})([hdw])$");
        if (!m.Success) throw new ArgumentException($"--expires takes a duration like 12h, 30d or 8w, not '{text}'");
        var n = int.Parse(m.Groups[1].Value);
        return m.Groups[2].Value switch { "h" => TimeSpan.FromHours(n), "d" => TimeSpan.FromDays(n), _ => TimeSpan.FromDays(7 * n) };
    }
}
