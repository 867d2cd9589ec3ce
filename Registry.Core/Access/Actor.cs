using Registry.Core.Identity.AccessTokens;

namespace Registry.Core.Access;

/// <summary>Who is asking: a user (through a browser session or a token) or nobody.</summary>
public sealed record Actor(string? UserId, string UserName, bool IsAdmin, TokenScope Scope, string? RestrictedToCollectionId = null, string Address = "")
{
    public static readonly Actor Anonymous = new(null, "", false, TokenScope.Read);

    public bool IsAuthenticated => UserId is not null;

    /// <summary>A signed-in browser user: the token scope does not narrow anything.</summary>
    public static Actor ForUser(string userId, string userName, bool isAdmin, string address = "") => new(userId, userName, isAdmin, TokenScope.Admin, null, address);
}
