using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Browser;

/// <summary>
/// Issue 12: an owner adds someone who shares no team with them, by user name, clicking from the home page; the person
/// sees the invitation on their home page and reaches the private collection only after accepting it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ContributorInviteTests(BrowserFixture fx)
{
    private static PageGetByRoleOptions Named(string name) => new() { Name = name, Exact = true };
    private static LocatorGetByRoleOptions N(string name) => new() { Name = name, Exact = true };

    [Fact]
    public async Task An_owner_adds_a_stranger_by_name_who_gets_the_private_collection_only_after_accepting()
    {
        var ownerPassword = await CreateAsync("olga");
        var guestPassword = await CreateAsync("gus");
        (await fx.LibAsync(await fx.Server.CreateTokenAsync("olga"), "push", await fx.Sif.CreateAsync(50_000), "olga/vault/seed", "v1")).ExitCode.ShouldBe(0);
        await fx.Server.AdminOkAsync("collection", "private", "olga/vault");

        var owner = await fx.NewPageAsync();
        await owner.SignInAsync("olga", ownerPassword);
        await owner.WaitForInteractiveAsync();
        await owner.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, N("Collections")).ClickAsync();
        await owner.GetByRole(AriaRole.Link, Named("olga/vault")).ClickAsync();
        await owner.GetByRole(AriaRole.Link, Named("Settings")).ClickAsync();
        await owner.GetByRole(AriaRole.Tab, Named("Contributors")).ClickAsync();
        // A name typed wrong is said so; the right one is invited, not added.
        var name = owner.GetByLabel("User name", new() { Exact = true });
        await name.FillAsync("gsu");
        await name.PressAsync("Enter");
        await Expect(owner.GetByTestId("invite-error")).ToHaveTextAsync("There is no user named gsu.");
        await name.FillAsync("gus");
        await owner.GetByRole(AriaRole.Button, Named("Invite")).ClickAsync();
        await Expect(owner.GetByText("gus is invited: they become a contributor when they accept")).ToBeVisibleAsync();
        await Expect(owner.GetByTestId("pending-invites")).ToContainTextAsync("gus (waiting for an answer)");

        var guest = await fx.NewPageAsync();
        await guest.SignInAsync("gus", guestPassword);
        await guest.WaitForInteractiveAsync();
        var invitations = guest.GetByRole(AriaRole.Region, new() { Name = "Invitations" });
        await Expect(invitations).ToContainTextAsync("olga invited you to olga/vault as contributor.");
        // Not a member yet: the private collection stays hidden.
        var response = await guest.GotoAsync("/olga/vault");
        response!.Status.ShouldBe(404);
        await guest.GoBackAsync();
        await guest.WaitForInteractiveAsync();
        await invitations.GetByRole(AriaRole.Button, N("Accept olga/vault")).ClickAsync();
        await Expect(guest.GetByText("You are now a member of olga/vault")).ToBeVisibleAsync();
        await Expect(invitations).ToHaveCountAsync(0);
        await guest.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, N("Collections")).ClickAsync();
        await guest.GetByRole(AriaRole.Link, Named("olga/vault")).ClickAsync();
        await Expect(guest.GetByRole(AriaRole.Link, Named("seed"))).ToBeVisibleAsync();

        // The owner's list now shows gus as a contributor, with nothing pending.
        await owner.ReloadAsync();
        await owner.WaitForInteractiveAsync();
        await owner.GetByRole(AriaRole.Tab, Named("Contributors")).ClickAsync();
        await Expect(owner.GetByRole(AriaRole.Row).Filter(new() { HasText = "gus" }).First).ToContainTextAsync("contributor");
        await Expect(owner.GetByTestId("pending-invites")).ToHaveCountAsync(0);
    }

    private async Task<string> CreateAsync(string name)
    {
        var password = "Pw-" + Guid.NewGuid().ToString("N") + "-aZ9!";
        await fx.Server.AdminOkAsync("user", "add", name, "--accept-terms", "--password", password);
        return password;
    }
}
