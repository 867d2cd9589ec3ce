using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static Registry.Tests.Browser.LabScenario.Lab;

namespace Registry.Tests.Browser.LabScenario;

/// <summary>
/// Alice makes a team and an invite link that bob uses and carol cannot reuse. A chapter of <see
/// cref="LabScenarioTests"/>, whose steps run in order and share <see cref="ScenarioState"/>.
/// </summary>
internal sealed class TeamChapter(BrowserFixture fx)
{
    private ScenarioState S => fx.State;

    public async Task S03_Create_a_team()
    {
        S.Require("S02");
        var alice = S.Alice!;
        await alice.OpenAsync("/teams");
        // Typed and clicked at once, as a hurried person does: no field is left first (the button once waited for that).
        await alice.GetByLabel("Name", new() { Exact = true }).FillAsync(Team);
        await alice.GetByLabel("Description").FillAsync("Structural biology lab");
        await alice.GetByRole(AriaRole.Button, Named("Create team")).ClickAsync();

        await Expect(alice).ToHaveURLAsync(EndsWith($"/teams/{Team}"));
        await Expect(alice.GetByRole(AriaRole.Heading, Named(Team))).ToBeVisibleAsync();
        await Expect(alice.GetByText("invite-only", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(alice.GetByText("Members (1)")).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "alice" })).ToContainTextAsync("owner");
    }

    public async Task S04_Create_an_invite_link()
    {
        S.Require("S03");
        var alice = S.Alice!;
        await alice.GetByRole(AriaRole.Button, Named("Create invite link")).ClickAsync();
        var link = alice.GetByTestId("invite-link");
        await Expect(link).ToHaveTextAsync(new Regex("^" + Regex.Escape($"{fx.Server.BaseUrl}/teams/{Team}/join/") + @"\S+$"));
        S.InviteLink = (await link.InnerTextAsync()).Trim();
        await alice.SnapAsync(fx.ScreenshotDir, "team");
    }

    public async Task S05_Second_user_opens_the_link_and_joins()
    {
        S.Require("S04");
        var bob = S.Bob = await fx.NewPageAsync();
        // Signed out, the invite page's two buttons lead to the real sign-in and sign-up pages (clicked, not typed).
        await bob.OpenAsync(S.InviteLink!);
        await bob.GetByRole(AriaRole.Link, Named("Sign in")).Last.ClickAsync();
        await bob.ExpectSignInFormAsync();
        await bob.GoBackAsync();
        await bob.WaitForInteractiveAsync();
        await bob.GetByRole(AriaRole.Link, Named("Create an account")).ClickAsync();
        await Expect(bob).ToHaveURLAsync(new Regex("/Account/Register\\?.*Invite="));
        await Expect(bob.GetByLabel("Confirm password")).ToBeVisibleAsync();
        await bob.RegisterAsync("bob");
        await bob.AgreeToTermsAsync();

        await bob.OpenAsync(S.InviteLink!);
        await Expect(bob.GetByRole(AriaRole.Heading, Named($"Join team {Team}"))).ToBeVisibleAsync();
        await Expect(bob.GetByText($"You were invited to the team {Team}")).ToBeVisibleAsync();
        await bob.GetByRole(AriaRole.Button, Named($"Join {Team}")).ClickAsync();
        await Expect(bob.GetByText($"You are now a member of {Team}")).ToBeVisibleAsync();

        var alice = S.Alice!;
        await alice.OpenAsync($"/teams/{Team}");
        await Expect(alice.GetByText("Members (2)")).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "bob" })).ToContainTextAsync("member");
    }

    public async Task S06_The_same_link_is_refused_to_a_third_user()
    {
        S.Require("S05");
        var carol = S.Carol = await fx.NewPageAsync();
        await carol.RegisterAsync("carol");
        await carol.AgreeToTermsAsync();

        await carol.OpenAsync(S.InviteLink!);
        await Expect(carol.GetByTestId("invite-status")).ToHaveTextAsync(
            "This invite link has already been used. Invite links work only once: ask a team owner for a new one.");
        await Expect(carol.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Join") })).ToHaveCountAsync(0);

        var alice = S.Alice!;
        await alice.OpenAsync($"/teams/{Team}");
        await Expect(alice.GetByText("Members (2)")).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "carol" })).ToHaveCountAsync(0);
    }
}
