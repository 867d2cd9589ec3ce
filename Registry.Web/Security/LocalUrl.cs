namespace Registry.Web.Security;

/// <summary>
/// The one open-redirect guard for every return URL (sign-in, external sign-in, register, 2FA, sign-out, terms) and for
/// every redirect <c>IdentityRedirectManager</c> makes. A path on this site is "/" alone or "/" and then anything but
/// another "/" or "\" (browsers read "//host" and "/\host" as another host); any white space or control character
/// (browsers drop tabs and leading spaces, so " //host" is "//host") and any scheme ("javascript:", "http:host") is refused.
/// The same holds once percent-decoded, so "/%2f%2fhost" and "/%09/host" cannot become a host on a second decode.
/// </summary>
public static class LocalUrl
{
    public static bool IsLocal(string? url) =>
        url is not null && !url.Any(char.IsWhiteSpace) && IsSitePath(url) && IsSitePath(Uri.UnescapeDataString(url));

    /// <summary>
    /// <paramref name="url"/> if it is local, else "/". An absolute URL under <paramref name="siteBase"/> (this site's
    /// base URI, as a Blazor page knows it) is first made a path, so "http://this-site/auth/tokens" still works.
    /// </summary>
    public static string OrHome(string? url, string? siteBase = null)
    {
        if (url is not null && siteBase is not null && url.StartsWith(siteBase, StringComparison.OrdinalIgnoreCase))
            url = new Uri(siteBase).AbsolutePath + url[siteBase.Length..];
        return IsLocal(url) ? url! : "/";
    }

    private static bool IsSitePath(string url) =>
        url.StartsWith('/') && !url.Any(char.IsControl)
        && (url.Length == 1 || url[1] is not ('/' or '\\') && !char.IsWhiteSpace(url[1]));
}
