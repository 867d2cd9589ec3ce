using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Web.Components.Pages.Collections;
using Registry.Web.Components.Pages.Profile;

namespace Registry.Tests.Components;

/// <summary>The New collection button and dialog on /collections and the profile.</summary>
public sealed class NewCollectionTests : RegistryTestContext
{
    [Fact]
    public async Task A_signed_in_user_creates_a_private_collection_and_lands_on_it()
    {
        var alice = await Db.AddUserAsync("alice");
        SignIn(alice);
        var dialogs = RenderProviders();
        var page = Render<CollectionsPage>();

        page.WaitForElement("[data-testid=new-collection]").Click();
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain("New collection"));

        dialogs.Find("[data-testid=create-collection]").Click();
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain("Give the collection a name."));

        dialogs.Find("input[data-testid=collection-name], [data-testid=collection-name] input").Input("My Tools");
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain("Use lowercase letters and digits, separated by single '.', '_' or '-', e.g. my-tools."));

        dialogs.Find("input[data-testid=collection-name], [data-testid=collection-name] input").Input("my-tools");
        dialogs.Find("textarea[data-testid=collection-description], [data-testid=collection-description] textarea").Change("Lab tools");
        dialogs.Find("input[data-testid=collection-private], [data-testid=collection-private] input").Change(true);
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain("library://alice/my-tools/…"));
        dialogs.Find("[data-testid=create-collection]").Click();

        var nav = Services.GetRequiredService<NavigationManager>();
        dialogs.WaitForAssertion(() => nav.Uri.ShouldBe("http://localhost/alice/my-tools"));
        await using var db = await Db.Factory.CreateDbContextAsync();
        var created = await db.Collections.SingleAsync(c => c.Name == "my-tools");
        created.Description.ShouldBe("Lab tools");
        created.IsPrivate.ShouldBeTrue();
    }

    [Fact]
    public async Task A_taken_name_is_refused_with_the_reason_and_the_dialog_stays_open()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        SignIn(alice);
        var dialogs = RenderProviders();
        var page = Render<CollectionsPage>();

        page.WaitForElement("[data-testid=new-collection]").Click();
        dialogs.WaitForElement("input[data-testid=collection-name], [data-testid=collection-name] input").Input("tools");
        dialogs.Find("[data-testid=create-collection]").Click();

        dialogs.WaitForAssertion(() => dialogs.Find("[data-testid=collection-error]").TextContent.Trim()
            .ShouldBe("alice/tools already exists: pick another name."));
        Services.GetRequiredService<NavigationManager>().Uri.ShouldBe("http://localhost/");
    }

    [Fact]
    public async Task Team_owners_create_a_collection_in_the_team_from_its_page()
    {
        var alice = await Db.AddUserAsync("alice");
        var bob = await Db.AddUserAsync("bob");
        var teams = Services.GetRequiredService<Registry.Core.Teams.TeamService>();
        (await teams.CreateAsync(alice, "lab", "", isOpen: true)).Succeeded.ShouldBeTrue();
        (await teams.JoinAsync(bob, "lab")).Succeeded.ShouldBeTrue();
        SignIn(alice);
        var dialogs = RenderProviders();

        var page = Render<Registry.Web.Components.Pages.Teams.TeamPage>(p => p.Add(x => x.TeamName, "lab"));
        page.WaitForElement("[data-testid=new-collection]").Click();
        dialogs.WaitForElement("input[data-testid=collection-name], [data-testid=collection-name] input").Input("shared");
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain("library://lab/shared/…")); // rendered after the input, not with it
        dialogs.FindAll("[data-testid=collection-owner]").ShouldBeEmpty(); // only the team is offered here
        dialogs.Find("[data-testid=create-collection]").Click();

        dialogs.WaitForAssertion(() => Services.GetRequiredService<NavigationManager>().Uri.ShouldBe("http://localhost/lab/shared"));
    }

    [Fact]
    public async Task Plain_team_members_get_no_button_on_the_team_page()
    {
        var alice = await Db.AddUserAsync("alice");
        var bob = await Db.AddUserAsync("bob");
        var teams = Services.GetRequiredService<Registry.Core.Teams.TeamService>();
        (await teams.CreateAsync(alice, "lab", "", isOpen: true)).Succeeded.ShouldBeTrue();
        (await teams.JoinAsync(bob, "lab")).Succeeded.ShouldBeTrue();
        SignIn(bob);
        RenderProviders();

        var page = Render<Registry.Web.Components.Pages.Teams.TeamPage>(p => p.Add(x => x.TeamName, "lab"));
        page.WaitForAssertion(() => page.Markup.ShouldContain("Leave team"));
        page.FindAll("[data-testid=new-collection]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Visitors_get_no_button_and_owners_also_find_it_on_their_profile()
    {
        var alice = await Db.AddUserAsync("alice");
        await Db.AddUserAsync("bob");
        RenderProviders();

        var anonymous = Render<CollectionsPage>();
        anonymous.WaitForAssertion(() => anonymous.Markup.ShouldContain("No collections"));
        anonymous.FindAll("[data-testid=new-collection]").ShouldBeEmpty();

        SignIn(alice);
        var own = Render<Profile>(p => p.Add(x => x.UserName, "alice"));
        own.WaitForElement("[data-testid=new-collection]");
        var other = Render<Profile>(p => p.Add(x => x.UserName, "bob"));
        other.WaitForAssertion(() => other.Markup.ShouldContain("bob"));
        other.FindAll("[data-testid=new-collection]").ShouldBeEmpty();
    }
}
