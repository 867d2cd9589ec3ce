using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Browser;

/// <summary>
/// Issue 12: a team owner adds people by name only through an invitation they answer on their home page, clicked from
/// the home page: one accepts and becomes a member, one declines and does not; a member who is no owner cannot invite;
/// an invitation accepted from two pages at once makes one membership.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TeamInvitationTests(BrowserFixture fx)
{
    private static PageGetByRoleOptions Named(string name) => new() { Name = name, Exact = true };
    private static LocatorGetByRoleOptions N(string name) => new() { Name = name, Exact = true };

    [Fact]
    public async Task An_owner_invites_two_by_name_one_accepts_one_declines_and_a_plain_member_cannot_invite()
    {
        var (boss, mia, dan) = (RegistryFixture.Unique("boss"), RegistryFixture.Unique("mia"), RegistryFixture.Unique("dan"));
        var team = RegistryFixture.Unique("crew");
        await CreateUsersAsync(boss, mia, dan);
        var owner = await SignedInAsync(boss);
        await CreateTeamAsync(owner, team);

        await InviteAsync(owner, mia);
        await InviteAsync(owner, dan);
        await Expect(owner.GetByTestId("team-pending")).ToHaveCountAsync(2);
        await Expect(MemberRows(owner)).ToHaveCountAsync(1); // invited is not added

        var member = await SignedInAsync(mia);
        var invitations = member.GetByRole(AriaRole.Region, new() { Name = "Invitations" });
        await Expect(invitations).ToContainTextAsync($"{boss} invited you to team {team} as member.");
        await invitations.GetByRole(AriaRole.Button, N($"Accept team {team}")).ClickAsync();
        await Expect(member.GetByText($"You are now a member of team {team}")).ToBeVisibleAsync();
        await Expect(invitations).ToHaveCountAsync(0);

        var decliner = await SignedInAsync(dan);
        var theirs = decliner.GetByRole(AriaRole.Region, new() { Name = "Invitations" });
        await theirs.GetByRole(AriaRole.Button, N($"Decline team {team}")).ClickAsync();
        await Expect(decliner.GetByText($"Invitation to team {team} declined")).ToBeVisibleAsync();
        await Expect(theirs).ToHaveCountAsync(0);

        // The new member reaches the team through the menus, is listed, and is offered no way to invite anyone.
        await OpenTeamAsync(member, team);
        await Expect(MemberRows(member)).ToHaveCountAsync(2);
        await Expect(MemberRows(member).Filter(new() { HasText = mia })).ToContainTextAsync("member");
        await Expect(member.GetByRole(AriaRole.Button, Named("Leave team"))).ToBeVisibleAsync();
        await Expect(member.GetByLabel("Invite a user by name")).ToHaveCountAsync(0);
        await Expect(member.GetByRole(AriaRole.Button, Named("Invite"))).ToHaveCountAsync(0);
        await Expect(member.GetByRole(AriaRole.Button, Named("Create invite link"))).ToHaveCountAsync(0);

        // The owner's page: mia is a member, dan is not, nothing is waiting.
        await owner.ReloadAsync();
        await owner.WaitForInteractiveAsync();
        await Expect(MemberRows(owner)).ToHaveCountAsync(2);
        await Expect(MemberRows(owner).Filter(new() { HasText = dan })).ToHaveCountAsync(0);
        await Expect(owner.GetByTestId("team-pending")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_invitation_accepted_from_two_pages_at_once_makes_one_membership()
    {
        var (boss, sam) = (RegistryFixture.Unique("boss"), RegistryFixture.Unique("sam"));
        var team = RegistryFixture.Unique("pair");
        await CreateUsersAsync(boss, sam);
        var owner = await SignedInAsync(boss);
        await CreateTeamAsync(owner, team);
        await InviteAsync(owner, sam);

        var pages = new[] { await SignedInAsync(sam), await SignedInAsync(sam) };
        var accepts = pages.Select(p => p.GetByRole(AriaRole.Region, new() { Name = "Invitations" }).GetByRole(AriaRole.Button, N($"Accept team {team}"))).ToList();
        foreach (var accept in accepts) await Expect(accept).ToBeEnabledAsync();
        await Task.WhenAll(accepts.Select(a => a.ClickAsync()));

        var joined = new Regex($"^You are now a member of team {Regex.Escape(team)}$");
        var answered = new Regex("^This invitation was withdrawn or already answered\\.$");
        foreach (var page in pages) await Expect(page.GetByText(joined).Or(page.GetByText(answered))).ToBeVisibleAsync();
        var successes = 0;
        foreach (var page in pages) successes += await page.GetByText(joined).CountAsync();
        successes.ShouldBe(1);

        await OpenTeamAsync(pages[0], team);
        await Expect(MemberRows(pages[0]).Filter(new() { HasText = sam })).ToHaveCountAsync(1);
        await Expect(pages[0].GetByText("Members (2)", new() { Exact = true })).ToBeVisibleAsync();
    }

    /// <summary>Accounts made as an operator does, before anyone invites them.</summary>
    private async Task CreateUsersAsync(params string[] names)
    {
        foreach (var name in names)
        {
            _passwords[name] = "Pw-" + Guid.NewGuid().ToString("N") + "-aZ9!";
            await fx.Server.AdminOkAsync("user", "add", name, "--accept-terms", "--password", _passwords[name]);
        }
    }

    /// <summary>A fresh page signed in as <paramref name="name"/> from the home page.</summary>
    private async Task<IPage> SignedInAsync(string name)
    {
        var page = await fx.NewPageAsync();
        await page.SignInAsync(name, _passwords[name]);
        await page.WaitForInteractiveAsync();
        return page;
    }

    private readonly Dictionary<string, string> _passwords = [];

    /// <summary>Teams in the app bar, the new team's name, Enter: lands on the team's page.</summary>
    private static async Task CreateTeamAsync(IPage owner, string team)
    {
        await owner.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, N("Teams")).ClickAsync();
        var name = owner.GetByLabel("Name", new() { Exact = true });
        await name.FillAsync(team);
        await name.PressAsync("Enter");
        await Expect(owner).ToHaveURLAsync(new Regex($"/teams/{Regex.Escape(team)}$"));
        await Expect(owner.GetByLabel("Invite a user by name")).ToBeVisibleAsync();
    }

    private static async Task InviteAsync(IPage owner, string user)
    {
        var field = owner.GetByLabel("Invite a user by name");
        await field.FillAsync(user);
        await owner.GetByRole(AriaRole.Button, Named("Invite")).ClickAsync();
        await Expect(owner.GetByText($"{user} is invited: they join when they accept")).ToBeVisibleAsync();
        await Expect(owner.GetByTestId("team-pending").Filter(new() { HasText = user })).ToContainTextAsync("waiting for an answer");
        await Expect(field).ToHaveValueAsync(""); // emptied: the next name starts afresh
    }

    private static async Task OpenTeamAsync(IPage page, string team)
    {
        await page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, N("Teams")).ClickAsync();
        await page.GetByRole(AriaRole.Link, Named(team)).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, Named(team))).ToBeVisibleAsync();
    }

    private static ILocator MemberRows(IPage page) => page.Locator("tbody tr").Filter(new() { Has = page.Locator("td[data-label=User]") });
}
