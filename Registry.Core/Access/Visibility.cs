using System.Linq.Expressions;
using Registry.Core.Collections;
using Registry.Core.Entities;

namespace Registry.Core.Access;

/// <summary>
/// <see cref="AccessRules.For"/>'s view rule as a SQL filter, so lists are filtered and paged in the database instead of
/// loading every collection's access graph: a public collection, or (for a signed-in actor) one of their own entity, one
/// they are a member of, or one of a team they belong to (any role); admins see everything. A token restricted to one
/// collection is anonymous everywhere else. <c>VisibilityTests</c> pins it against <see cref="AccessRules.For"/>.
/// </summary>
public static class Visibility
{
    public static IQueryable<Collection> VisibleTo(this IQueryable<Collection> collections, Actor actor)
    {
        var restricted = actor.RestrictedToCollectionId;
        if (!actor.IsAuthenticated) return collections.Where(c => !c.IsPrivate);
        if (actor.IsAdmin)
            return restricted is null ? collections : collections.Where(c => !c.IsPrivate || c.Id == restricted);
        var user = actor.UserId;
        return collections.Where(c => !c.IsPrivate || ((restricted == null || c.Id == restricted)
            && (c.Entity!.UserId == user || c.Members.Any(m => m.UserId == user)
                || (c.Entity.Kind == EntityKind.Team && c.Entity.Team!.Members.Any(m => m.UserId == user)))));
    }

    /// <summary>The collections the grid's "Mine" shows: of the user's own entity, one they are a member of, or of their team.</summary>
    public static Expression<Func<Collection, bool>> MemberOf(string user) => c =>
        c.Entity!.UserId == user || c.Members.Any(m => m.UserId == user)
        || (c.Entity.Kind == EntityKind.Team && c.Entity.Team!.Members.Any(m => m.UserId == user));
}
