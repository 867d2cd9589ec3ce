using System.Reflection;
using Microsoft.AspNetCore.Components;

namespace Registry.Web.Components;

/// <summary>
/// The pages that render only on the server (<c>[ExcludeFromInteractiveRouting]</c>: sign-in, registration, account
/// management, which set cookies). The interactive router leaves them out of its route table, so a click on a link to
/// <c>/Account/Login</c> inside the app would match <c>/{entity}/{collection}</c> instead and show "Not found". Links to
/// them must load the page in full; the router asks here which ones.
/// </summary>
public static class StaticPages
{
    private static readonly string[] Prefixes = typeof(StaticPages).Assembly.GetTypes()
        .Where(t => t.IsDefined(typeof(ExcludeFromInteractiveRoutingAttribute), inherit: true))
        .SelectMany(t => t.GetCustomAttributes<RouteAttribute>())
        .Select(r => r.Template.Trim('/').Split('/')[0])
        .Where(first => first.Length > 0 && !first.StartsWith('{'))
        .Distinct(StringComparer.OrdinalIgnoreCase)
        .ToArray();

    /// <summary>Whether <paramref name="relativePath"/> (as the router sees it: no leading slash) is a static page's.</summary>
    public static bool Owns(string relativePath)
    {
        var first = relativePath.TrimStart('/').Split('/', '?', '#')[0];
        return Prefixes.Contains(first, StringComparer.OrdinalIgnoreCase);
    }
}
