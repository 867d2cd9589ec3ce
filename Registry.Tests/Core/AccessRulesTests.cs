using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Entities;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Teams;

namespace Registry.Tests.Core;

/// <summary>The permission rules as a table: who × public/private → view, push, manage.</summary>
public sealed class AccessRulesTests
{
    private const string Owner = "u-owner", Contributor = "u-contrib", Stranger = "u-stranger", Admin = "u-admin",
        TeamOwner = "u-teamowner", TeamMember = "u-teammember", TeamReader = "u-teamreader";

    private static Collection UserCollection(bool isPrivate) => new()
    {
        Id = "col-1", Name = "tools", IsPrivate = isPrivate,
        Entity = new Entity { Name = "owner", Kind = EntityKind.User, UserId = Owner },
        Members = [new CollectionMember { UserId = Contributor, Role = CollectionRole.Contributor }],
    };

    private static Collection TeamCollection(bool isPrivate) => new()
    {
        Id = "col-2", Name = "shared", IsPrivate = isPrivate,
        Entity = new Entity
        {
            Name = "lab", Kind = EntityKind.Team,
            Team = new Team { Members = [new TeamMember { UserId = TeamOwner, Role = TeamRole.Owner }, new TeamMember { UserId = TeamMember, Role = TeamRole.Member }, new TeamMember { UserId = TeamReader, Role = TeamRole.Reader }] },
        },
    };

    private static Actor User(string id, TokenScope scope = TokenScope.Write, string? restrictedTo = null, bool admin = false) =>
        new(id, id, admin, scope, restrictedTo);

    public static TheoryData<string, bool, bool, bool, bool> UserCollectionCases => new()
    {
        // who,                       private, view,  push,  manage
        { "anonymous",                false,   true,  false, false },
        { "anonymous",                true,    false, false, false },
        { "stranger",                 false,   true,  false, false },
        { "stranger",                 true,    false, false, false },
        { "contributor",              false,   true,  false, false },
        { "contributor",              true,    true,  false, false },
        { "owner",                    false,   true,  true,  true  },
        { "owner",                    true,    true,  true,  true  },
        { "owner read token",         true,    true,  false, false },
        { "owner token for other col",true,    false, false, false },
        { "owner token for this col", true,    true,  true,  true  },
        { "admin",                    true,    true,  true,  true  },
        { "admin read token",         true,    true,  false, false },
    };

    [Theory]
    [MemberData(nameof(UserCollectionCases))]
    public void User_collection(string who, bool isPrivate, bool view, bool push, bool manage)
    {
        var actor = who switch
        {
            "anonymous" => Actor.Anonymous,
            "stranger" => User(Stranger),
            "contributor" => User(Contributor),
            "owner" => User(Owner),
            "owner read token" => User(Owner, TokenScope.Read),
            "owner token for other col" => User(Owner, restrictedTo: "col-other"),
            "owner token for this col" => User(Owner, restrictedTo: "col-1"),
            "admin" => User(Admin, admin: true),
            "admin read token" => User(Admin, TokenScope.Read, admin: true),
            _ => throw new ArgumentException(who),
        };
        AccessRules.For(actor, UserCollection(isPrivate)).ShouldBe(new CollectionAccess(view, push, manage));
    }

    [Theory]
    [InlineData(TeamOwner, true, true, true, true)]
    [InlineData(TeamMember, true, true, true, false)]
    [InlineData(TeamReader, true, true, false, false)]
    [InlineData(Stranger, true, false, false, false)]
    [InlineData(Stranger, false, true, false, false)]
    public void Team_collection(string userId, bool isPrivate, bool view, bool push, bool manage) =>
        AccessRules.For(User(userId), TeamCollection(isPrivate)).ShouldBe(new CollectionAccess(view, push, manage));

    [Fact]
    public void Collections_are_created_only_in_ones_own_entity_or_by_admins()
    {
        var own = new Entity { Kind = EntityKind.User, UserId = Owner };
        AccessRules.CanCreateCollectionIn(User(Owner), own).ShouldBeTrue();
        AccessRules.CanCreateCollectionIn(User(Stranger), own).ShouldBeFalse();
        AccessRules.CanCreateCollectionIn(User(Owner, TokenScope.Read), own).ShouldBeFalse();
        AccessRules.CanCreateCollectionIn(User(Admin, admin: true), own).ShouldBeTrue();
        AccessRules.CanCreateCollectionIn(Actor.Anonymous, own).ShouldBeFalse();
        AccessRules.CanCreateCollectionIn(User(TeamOwner), TeamCollection(false).Entity!).ShouldBeTrue();
        AccessRules.CanCreateCollectionIn(User(TeamMember), TeamCollection(false).Entity!).ShouldBeFalse();
    }
}
