using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Invitations;
using Registry.Core.Teams;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// Test set-up for memberships the only way the app makes them (issue 12): an owner invites by name, the person accepts.
/// </summary>
public static class Memberships
{
    public static async Task JoinTeamAsync(this MemberInviteService invites, Actor owner, string team, Actor member, TeamRole role = TeamRole.Member)
    {
        (await invites.InviteToTeamAsync(owner, team, member.UserName, role)).Succeeded.ShouldBeTrue();
        var invite = (await invites.MineAsync(member)).Single(i => i.Target == $"team {team}");
        (await invites.AnswerAsync(member, invite.Id, accept: true)).Succeeded.ShouldBeTrue();
    }

    public static async Task JoinCollectionAsync(this MemberInviteService invites, Actor owner, string collectionId, Actor member, CollectionRole role = CollectionRole.Contributor)
    {
        (await invites.InviteToCollectionAsync(owner, collectionId, member.UserName, role)).Succeeded.ShouldBeTrue();
        var invite = (await invites.PendingForCollectionAsync(owner, collectionId)).Single(i => i.Target == member.UserName);
        (await invites.AnswerAsync(member, invite.Id, accept: true)).Succeeded.ShouldBeTrue();
    }
}
