using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static Registry.Tests.Browser.LabScenario.Lab;

namespace Registry.Tests.Browser.LabScenario;

/// <summary>
/// A token made in the browser pushes; bob becomes a contributor; the collection goes private and only the right
/// people see it. A chapter of <see cref="LabScenarioTests"/>, whose steps run in order and share <see
/// cref="ScenarioState"/>.
/// </summary>
internal sealed class PushChapter(BrowserFixture fx)
{
    private ScenarioState S => fx.State;

    public async Task S07_A_token_made_in_the_browser_pushes_the_first_images()
    {
        S.Require("S02");
        var alice = S.Alice!;
        await alice.OpenAsync("/auth/tokens");
        // Enter in the name field creates the token.
        await alice.GetByLabel("Name", new() { Exact = true }).FillAsync("laptop");
        await alice.GetByLabel("Name", new() { Exact = true }).PressAsync("Enter");
        var created = alice.GetByTestId("new-token");
        await Expect(created).ToContainTextAsync("Token “laptop” created. Copy it now: it will not be shown again.");
        S.AliceToken = (await created.Locator("code.token-secret").InnerTextAsync()).Trim();
        S.AliceToken.ShouldNotBeNullOrWhiteSpace();
        await Expect(alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "laptop" })).ToContainTextAsync("write");
        await alice.SnapAsync(fx.ScreenshotDir, "tokens");

        // The UI has no "new collection" form: a push creates the collection.
        foreach (var (target, size) in new[] { ($"{Collection}/seed", 300_000L), ($"{PublicCollection}/hello", 200_000L) })
        {
            var sif = await fx.Sif.CreateAsync(size);
            var push = await fx.LibAsync(S.AliceToken, "push", sif, target, "v1");
            push.ExitCode.ShouldBe(0, $"push {target}: {push}");
        }

        await alice.OpenAsync($"/{Collection}");
        await Expect(alice.GetByRole(AriaRole.Heading, Named(Collection))).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Link, Named("seed"))).ToBeVisibleAsync();
        await Expect(alice.GetByText("v1 · amd64")).ToBeVisibleAsync();

        await alice.OpenAsync("/collections");
        await Expect(alice.GetByRole(AriaRole.Link, Named(Collection))).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Link, Named(PublicCollection))).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "collections");
    }

    public async Task S08_Add_the_second_user_as_contributor()
    {
        S.Require("S05", "S07");
        var alice = S.Alice!;
        await alice.OpenAsync($"/{Collection}/settings");
        await Expect(alice.GetByRole(AriaRole.Heading, Named($"Settings of {Collection}"))).ToBeVisibleAsync();
        await Expect(alice.GetByText("No other members.")).ToBeVisibleAsync();

        // Nobody is added unasked: bob is invited by name and becomes a contributor when he accepts on his home page.
        await alice.GetByLabel("User name", new() { Exact = true }).FillAsync("bob");
        await alice.GetByRole(AriaRole.Button, Named("Invite")).ClickAsync();
        await Expect(alice.GetByText("bob is invited: they become a contributor when they accept")).ToBeVisibleAsync();
        await Expect(alice.GetByText("No other members.")).ToBeVisibleAsync();
        var bob = S.Bob!;
        await bob.OpenAsync("/");
        await bob.GetByRole(AriaRole.Region, new() { Name = "Invitations" }).GetByRole(AriaRole.Button, new() { Name = $"Accept {Collection}", Exact = true }).ClickAsync();
        await Expect(bob.GetByText($"You are now a member of {Collection}")).ToBeVisibleAsync();

        await alice.ReloadAsync();
        await alice.WaitForInteractiveAsync();
        await Expect(alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "bob" }).First).ToContainTextAsync("contributor");
        await alice.SnapAsync(fx.ScreenshotDir, "settings");
    }

    public async Task S09_Make_the_collection_private()
    {
        S.Require("S08");
        var alice = S.Alice!;
        await alice.GetByRole(AriaRole.Tab, Named("Danger zone")).ClickAsync();
        await Expect(alice.GetByText("This collection is public")).ToBeVisibleAsync();
        await alice.GetByRole(AriaRole.Button, Named("Make private")).ClickAsync();

        await Expect(alice.GetByText($"{Collection} is now private")).ToBeVisibleAsync();
        await Expect(alice.GetByText("This collection is private")).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Button, Named("Make public"))).ToBeVisibleAsync();
    }

    public async Task S10_Anonymous_and_strangers_cannot_see_it_the_contributor_can()
    {
        S.Require("S09");
        var anonymous = S.Anonymous = await fx.NewPageAsync();
        var response = await anonymous.GotoAsync($"/{Collection}");
        response!.Status.ShouldBe(404);
        await Expect(anonymous.GetByRole(AriaRole.Heading, Named("Not found"))).ToBeVisibleAsync();
        await Expect(anonymous.GetByRole(AriaRole.Link, Named("seed"))).ToHaveCountAsync(0);

        // Not listed: the public collection shows (the grid has loaded), the private one does not.
        await anonymous.OpenAsync("/collections");
        await Expect(anonymous.GetByRole(AriaRole.Link, Named(PublicCollection))).ToBeVisibleAsync();
        await Expect(anonymous.GetByRole(AriaRole.Link, Named(Collection))).ToHaveCountAsync(0);

        // Not found by search either, nor by the library API.
        await anonymous.OpenAsync("/search?q=alice");
        await Expect(anonymous.GetByText($"{PublicCollection}/hello", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(anonymous.GetByText(Collection)).ToHaveCountAsync(0);
        var get = await fx.LibAsync(null, "get", $"{Collection}/seed:v1");
        get.ExitCode.ShouldBe(3, $"an anonymous library client must not find {Collection}: {get}");

        // A signed-in user who is neither owner nor contributor: 404 too.
        var carol = S.Carol!;
        (await carol.GotoAsync($"/{Collection}"))!.Status.ShouldBe(404);
        await Expect(carol.GetByRole(AriaRole.Heading, Named("Not found"))).ToBeVisibleAsync();

        // The contributor sees it, marked private.
        var bob = S.Bob!;
        (await bob.OpenAsync($"/{Collection}"))!.Status.ShouldBe(200);
        await Expect(bob.GetByRole(AriaRole.Heading, Named(Collection))).ToBeVisibleAsync();
        await Expect(bob.GetByText("private", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(bob.GetByRole(AriaRole.Link, Named("seed"))).ToBeVisibleAsync();
        await bob.OpenAsync("/collections");
        await Expect(bob.GetByRole(AriaRole.Link, Named(Collection))).ToBeVisibleAsync();
    }
}
