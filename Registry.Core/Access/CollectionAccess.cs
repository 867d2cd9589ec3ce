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
/// of the owning team, admins. Push, retag, freeze, delete: owners (incl. the entity's user and team owners) and admins.
/// Tokens narrow this: read scope never writes; a collection-restricted token is anonymous elsewhere.
/// </summary>
public static class AccessRules
{
    /// <summary>Needs <paramref name="collection"/> with Members and Entity (with Team.Members for team entities) loaded.</summary>
    public static CollectionAccess For(Actor actor, Collection collection)
    {
        if (actor.RestrictedToCollectionId is not null && actor.RestrictedToCollectionId != collection.Id)
            actor = Actor.Anonymous;

        var role = RoleOf(actor, collection);
        var isOwner = actor.IsAdmin || role == CollectionRole.Owner;
        var canView = !collection.IsPrivate || actor.IsAdmin || role is not null;
        var canWrite = actor.Scope >= TokenScope.Write;
        return new CollectionAccess(canView, canView && canWrite && isOwner, canView && canWrite && isOwner);
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

    private static CollectionRole? RoleOf(Actor actor, Collection collection)
    {
        if (!actor.IsAuthenticated) return null;
        var entity = collection.Entity;
        if (entity?.Kind == EntityKind.User && entity.UserId == actor.UserId) return CollectionRole.Owner;
        CollectionRole? role = collection.Members.FirstOrDefault(m => m.UserId == actor.UserId)?.Role;
        if (entity?.Kind == EntityKind.Team && entity.Team is { } team)
        {
            var teamRole = team.Members.FirstOrDefault(m => m.UserId == actor.UserId)?.Role;
            if (teamRole == TeamRole.Owner) return CollectionRole.Owner;
            if (teamRole == TeamRole.Member) role ??= CollectionRole.Contributor;
        }
        return role;
    }
}
