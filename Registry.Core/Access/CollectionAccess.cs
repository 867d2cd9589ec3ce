using Registry.Core.Collections;
using Registry.Core.Entities;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Teams;

namespace Registry.Core.Access;

/// <summary>What an actor may do with one collection.</summary>
public sealed record CollectionAccess(bool CanView, bool CanPush, bool CanManage)
{
    public static readonly CollectionAccess None = new(false, false, false);
}

/// <summary>
/// The permission rules, in one place. Public: anyone views and pulls. Private: owners, contributors, team members
/// of the owning team, admins. Push, retag, freeze, delete: owners (incl. the entity's user and team owners), team members
/// (on their team's collections) and admins.
/// Tokens narrow this: read scope never writes; a collection-restricted token is anonymous elsewhere.
/// </summary>
public static class AccessRules
{
    /// <summary>Needs <paramref name="collection"/> with Members and Entity (with Team.Members for team entities) loaded.</summary>
    public static CollectionAccess For(Actor actor, Collection collection)
    {
        if (actor.RestrictedToCollectionId is not null && actor.RestrictedToCollectionId != collection.Id)
            actor = Actor.Anonymous;

        var level = actor.IsAdmin ? Level.Manage : LevelOf(actor, collection);
        var canView = !collection.IsPrivate || level >= Level.Pull;
        var canWrite = actor.Scope >= TokenScope.Write;
        return new CollectionAccess(canView, canView && canWrite && level >= Level.Push, canView && canWrite && level >= Level.Manage);
    }

    /// <summary>May the actor create collections in this entity (needs Entity.Team.Members for teams)?</summary>
    public static bool CanCreateCollectionIn(Actor actor, Entity entity)
    {
        if (!actor.IsAuthenticated || actor.Scope < TokenScope.Write || actor.RestrictedToCollectionId is not null) return false;
        if (actor.IsAdmin) return true;
        return entity.Kind switch
        {
            EntityKind.User => entity.UserId == actor.UserId,
            EntityKind.Team => entity.Team?.Members.Any(m => m.UserId == actor.UserId && m.Role == TeamRole.Owner) == true,
            _ => false,
        };
    }

    /// <summary>
    /// When a write is refused because of the token (its user could do it with an unrestricted write token), the message
    /// that says so; null when the user may not do it anyway. A push with a read token should not read as "not yours".
    /// </summary>
    public static string? TokenLimit(Actor actor, Collection collection, bool manage = false)
    {
        var unrestricted = actor with { Scope = TokenScope.Admin, RestrictedToCollectionId = null };
        var access = For(unrestricted, collection);
        if (!(manage ? access.CanManage : access.CanPush)) return null;
        return TokenLimit(actor, $"{collection.Entity!.Name}/{collection.Name}", collection.Id);
    }

    /// <summary>The same for creating collections in an entity.</summary>
    public static string? TokenLimit(Actor actor, Entity entity) =>
        CanCreateCollectionIn(actor with { Scope = TokenScope.Admin, RestrictedToCollectionId = null }, entity)
            ? TokenLimit(actor, $"entity {entity.Name}", null)
            : null;

    private static string? TokenLimit(Actor actor, string where, string? collectionId) =>
        actor.RestrictedToCollectionId is { } only && only != collectionId
            ? $"this token is restricted to one collection and cannot write to {where}: use a token without a collection restriction"
            : actor.Scope < TokenScope.Write
                ? $"this token is read-only (scope read) and cannot write to {where}: create a token with write scope at /auth/tokens"
                : null;

    /// <summary>
    /// The collections <see cref="For"/> lets <paramref name="actor"/> view, as a query the database answers (lists that
    /// must not load every collection's access graph, like <c>/v2/_catalog</c>). Same rules: admins see all; others the
    /// public ones and those they own or belong to (directly or by team); a restricted token is anonymous elsewhere.
    /// </summary>
    public static IQueryable<Collection> Viewable(IQueryable<Collection> collections, Actor actor)
    {
        if (actor.RestrictedToCollectionId is { } only)
        {
            var inside = Viewable(collections.Where(c => c.Id == only), actor with { RestrictedToCollectionId = null }).Select(c => c.Id);
            return collections.Where(c => !c.IsPrivate || inside.Contains(c.Id));
        }
        if (actor.IsAdmin) return collections;
        if (!actor.IsAuthenticated) return collections.Where(c => !c.IsPrivate);
        var user = actor.UserId;
        return collections.Where(c => !c.IsPrivate
            || (c.Entity!.Kind == EntityKind.User && c.Entity.UserId == user)
            || c.Members.Any(m => m.UserId == user)
            || (c.Entity.Kind == EntityKind.Team && c.Entity.Team!.Members.Any(m => m.UserId == user)));
    }

    private enum Level { None, Pull, Push, Manage }

    private static Level LevelOf(Actor actor, Collection collection)
    {
        if (!actor.IsAuthenticated) return Level.None;
        var entity = collection.Entity;
        if (entity?.Kind == EntityKind.User && entity.UserId == actor.UserId) return Level.Manage;
        var level = collection.Members.FirstOrDefault(m => m.UserId == actor.UserId)?.Role switch
        {
            CollectionRole.Owner => Level.Manage,
            CollectionRole.Contributor => Level.Pull,
            _ => Level.None,
        };
        // Team collections: owners manage, members push, readers pull.
        var teamRole = entity?.Kind == EntityKind.Team ? entity.Team?.Members.FirstOrDefault(m => m.UserId == actor.UserId)?.Role : null;
        var teamLevel = teamRole switch
        {
            TeamRole.Owner => Level.Manage,
            TeamRole.Member => Level.Push,
            TeamRole.Reader => Level.Pull,
            _ => Level.None,
        };
        return level > teamLevel ? level : teamLevel;
    }
}
