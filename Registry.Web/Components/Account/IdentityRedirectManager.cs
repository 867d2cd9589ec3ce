using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Registry.Core.Identity;
using Registry.Core.Data;

namespace Registry.Web.Components.Account;

internal sealed class IdentityRedirectManager(NavigationManager navigationManager)
{
    public const string StatusCookieName = "Identity.StatusMessage";

    private static readonly CookieBuilder StatusCookieBuilder = new()
    {
        SameSite = SameSiteMode.Strict,
        HttpOnly = true,
        IsEssential = true,
        MaxAge = TimeSpan.FromSeconds(5),
    };

    public void RedirectTo(string? uri) => navigationManager.NavigateTo(LocalOnly(uri, navigationManager.BaseUri));

    /// <summary>
    /// The open-redirect guard for return URLs: a path on this site is kept (absolute URLs of this site become relative);
    /// anything else — another host, <c>//host</c>, <c>/\host</c>, <c>javascript:</c> — becomes "" (the home page).
    /// The template's version threw on foreign absolute URLs, turning a crafted link into an error page after sign-in.
    /// </summary>
    public static string LocalOnly(string? uri, string baseUri)
    {
        uri ??= "";
        if (uri.StartsWith(baseUri, StringComparison.OrdinalIgnoreCase)) uri = uri[baseUri.Length..];
        var schemeEnd = uri.IndexOfAny([':', '/', '?', '#']);
        var hasScheme = schemeEnd >= 0 && uri[schemeEnd] == ':';
        var local = !hasScheme && !uri.StartsWith("//", StringComparison.Ordinal) && !uri.Contains('\\') && !uri.Any(char.IsControl);
        return local ? uri : "";
    }

    public void RedirectTo(string uri, Dictionary<string, object?> queryParameters)
    {
        var uriWithoutQuery = navigationManager.ToAbsoluteUri(uri).GetLeftPart(UriPartial.Path);
        var newUri = navigationManager.GetUriWithQueryParameters(uriWithoutQuery, queryParameters);
        RedirectTo(newUri);
    }

    public void RedirectToWithStatus(string uri, string message, HttpContext context)
    {
        context.Response.Cookies.Append(StatusCookieName, message, StatusCookieBuilder.Build(context));
        RedirectTo(uri);
    }

    private string CurrentPath => navigationManager.ToAbsoluteUri(navigationManager.Uri).GetLeftPart(UriPartial.Path);

    public void RedirectToCurrentPage() => RedirectTo(CurrentPath);

    public void RedirectToCurrentPageWithStatus(string message, HttpContext context)
        => RedirectToWithStatus(CurrentPath, message, context);

    public void RedirectToInvalidUser(UserManager<RegistryUser> userManager, HttpContext context)
        => RedirectToWithStatus("Account/InvalidUser", $"Error: Unable to load user with ID '{userManager.GetUserId(context.User)}'.", context);
}
