using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Teams;
using Registry.Web.Components.Pages.Teams;

namespace Registry.Tests.Components;

public sealed class TeamsJoinTests : RegistryTestContext
{
    private async Task<string> InviteAsync()
    {
        var alice = await Db.AddUserAsync("alice");
        var teams = Services.GetRequiredService<TeamService>();
        await teams.CreateAsync(alice, "lab", "", isOpen: false);
        return (await Services.GetRequiredService<TeamInviteLinks>().CreateAsync(alice, "lab")).Value!;
    }

    [Fact]
    public async Task Anonymous_visitors_are_asked_to_sign_in_or_register_with_the_invite()
    {
        var code = await InviteAsync();

        var page = Render<JoinTeam>(p => p.Add(x => x.TeamName, "lab").Add(x => x.Code, code));

        page.WaitForAssertion(() => page.Markup.ShouldContain("Sign in or create an account"));
        var register = page.FindAll("a").Single(a => a.TextContent.Contains("Create an account"));
        register.GetAttribute("href")!.ShouldContain($"Invite={Uri.EscapeDataString($"lab/{code}")}");
    }

    [Fact]
    public async Task Joining_takes_a_click_and_a_second_use_of_the_link_gets_a_clear_message()
    {
        var code = await InviteAsync();
        SignIn(await Db.AddUserAsync("bob"));
        RenderProviders();

        var page = Render<JoinTeam>(p => p.Add(x => x.TeamName, "lab").Add(x => x.Code, code));
        page.WaitForAssertion(() => page.Find("button").TextContent.ShouldContain("Join lab"));
        (await Services.GetRequiredService<TeamService>().FindAsync("lab"))!.Members.Count.ShouldBe(1); // nothing on GET

        page.Find("button").Click();
        page.WaitForAssertion(() => page.Markup.ShouldContain("You are now a member of"));

        SignIn(await Db.AddUserAsync("carol"));
        var again = Render<JoinTeam>(p => p.Add(x => x.TeamName, "lab").Add(x => x.Code, code));
        again.WaitForAssertion(() => again.Find("[data-testid=invite-status]").TextContent
            .ShouldBe("This invite link has already been used. Invite links work only once: ask a team owner for a new one."));
    }

    [Fact]
    public async Task An_expired_link_says_so()
    {
        var code = await InviteAsync();
        Db.Clock.Advance(TimeSpan.FromDays(8));

        var page = Render<JoinTeam>(p => p.Add(x => x.TeamName, "lab").Add(x => x.Code, code));

        page.WaitForAssertion(() => page.Find("[data-testid=invite-status]").TextContent.ShouldBe("This invite link has expired. Ask a team owner for a new one."));
    }
}
