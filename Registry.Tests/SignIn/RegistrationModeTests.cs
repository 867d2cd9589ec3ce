using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Teams;

namespace Registry.Tests.SignIn;

public sealed class ClosedRegistrationFactory() : SignInFactory(new() { ["Accounts:Registration"] = "Closed" });

public sealed class InviteOnlyFactory() : SignInFactory(new() { ["Accounts:Registration"] = "InviteOnly" });

/// <summary>A closed registry takes its first account (the admin), then no one: not by password, not through a provider.</summary>
public sealed class ClosedRegistrationTests(ClosedRegistrationFactory factory) : IClassFixture<ClosedRegistrationFactory>
{
    [Fact]
    public async Task Only_the_first_account_registers()
    {
        using var browser = factory.Browser();
        var first = await LocalSignIn.RegisterAsync(browser, "root");
        first.Address.AbsolutePath.ShouldBe("/");
        (await factory.FindUserAsync("root")).ShouldNotBeNull().IsAdmin.ShouldBeTrue(); // the first account is the admin

        using var stranger = factory.Browser();
        var page = await stranger.GetAsync("/Account/Register");
        page.Html.ShouldContain("Registration is closed on this registry. Ask an administrator for an account.");
        page.Html.ShouldNotContain("name=\"Input.Password\"");
        // Posting the form anyway (with a token from the sign-in page) creates nothing.
        var login = await stranger.GetAsync("/Account/Login");
        await stranger.SubmitAsync(login, "register", LocalSignIn.RegisterFields("mallory"), action: "/Account/Register");
        (await factory.FindUserAsync("mallory")).ShouldBeNull();

        factory.Provider.User = new("sub-mallory", "mallory", "mallory@example.edu");
        var external = await OidcFlow.StartAsync(stranger);
        external.Address.AbsolutePath.ShouldBe("/Account/ExternalLogin");
        external.Html.ShouldContain("Registration is closed on this registry.");
        external.Html.ShouldNotContain("name=\"Input.UserName\"");
        (await factory.FindUserAsync("mallory")).ShouldBeNull();
    }
}

/// <summary>An invite-only registry registers only holders of a valid team invite link.</summary>
public sealed class InviteOnlyRegistrationTests(InviteOnlyFactory factory) : IClassFixture<InviteOnlyFactory>
{
    [Fact]
    public async Task Registration_needs_an_invite_for_password_and_provider_accounts_alike()
    {
        var owner = await factory.CreateUserWithPasswordAsync("owner", "Owner-pass-1");
        var actor = Actor.ForUser(owner.Id, "owner", false);
        var teams = factory.Services.GetRequiredService<TeamService>();
        (await teams.CreateAsync(actor, "lab", "", isOpen: false)).Succeeded.ShouldBeTrue();
        var invites = factory.Services.GetRequiredService<TeamInviteLinks>();
        var code = (await invites.CreateAsync(actor, "lab")).Value!;

        using var browser = factory.Browser();
        (await browser.GetAsync("/Account/Register")).Html.ShouldContain("This registry is invite-only");
        factory.Provider.User = new("sub-erin", "erin", "erin@example.edu");
        (await OidcFlow.StartAsync(browser)).Html.ShouldContain("This registry is invite-only");

        var withInvite = await LocalSignIn.RegisterAsync(browser, "erin", $"?Invite={Uri.EscapeDataString("lab/" + code)}");
        withInvite.Address.AbsolutePath.ShouldBe("/teams/lab");
        (await teams.FindAsync("lab"))!.Members.Select(m => m.User?.UserName ?? m.UserId).Count().ShouldBe(2);
        (await factory.FindUserAsync("erin")).ShouldNotBeNull();
        (await invites.CheckAsync("lab", code)).ShouldNotBe(InviteStatus.Valid); // single use
    }

    [Fact]
    public async Task Two_registrations_through_one_link_at_once_make_one_account_and_the_other_is_told_why()
    {
        var owner = await factory.CreateUserWithPasswordAsync("crewboss", "Owner-pass-1");
        var actor = Actor.ForUser(owner.Id, "crewboss", false);
        (await factory.Services.GetRequiredService<TeamService>().CreateAsync(actor, "crew", "", isOpen: false)).Succeeded.ShouldBeTrue();
        var code = (await factory.Services.GetRequiredService<TeamInviteLinks>().CreateAsync(actor, "crew")).Value!;
        var query = $"?Invite={Uri.EscapeDataString("crew/" + code)}";
        using var ana = factory.Browser(LocalSignIn.NextAddress());
        using var ben = factory.Browser(LocalSignIn.NextAddress());
        var forms = await Task.WhenAll(ana.GetAsync("/Account/Register" + query), ben.GetAsync("/Account/Register" + query));

        var done = await Task.WhenAll(ana.SubmitAsync(forms[0], "register", LocalSignIn.RegisterFields("ana")),
            ben.SubmitAsync(forms[1], "register", LocalSignIn.RegisterFields("ben")));

        done.Count(p => p.Address.AbsolutePath == "/teams/crew").ShouldBe(1);
        done.Single(p => p.Address.AbsolutePath != "/teams/crew").Html.ShouldContain("This invite link to team crew has already been used: each link makes one account.");
        ((await factory.FindUserAsync("ana")) is null).ShouldNotBe((await factory.FindUserAsync("ben")) is null);
        (await factory.Services.GetRequiredService<TeamService>().FindAsync("crew"))!.Members.Count.ShouldBe(2);
    }
}
