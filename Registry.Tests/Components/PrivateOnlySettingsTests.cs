using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Web.Components.Pages.CollectionSettings;

namespace Registry.Tests.Components;

/// <summary>With <c>PrivateOnly</c> the settings page offers no way to make a collection public.</summary>
public sealed class PrivateOnlySettingsTests : RegistryTestContext
{
    [Fact]
    public async Task A_private_collection_offers_no_make_public_button_and_a_public_one_can_still_be_made_private()
    {
        var alice = await Db.AddUserAsync("alice");
        var old = await CreateAsync(alice, "old"); // public, made before PrivateOnly was turned on
        Db.RegistryOptions.Value.PrivateOnly = true;
        var fresh = await CreateAsync(alice, "fresh");
        fresh.IsPrivate.ShouldBeTrue();
        SignIn(alice);
        RenderProviders();

        var locked = Render<DangerZone>(p => p.Add(x => x.Collection, fresh).Add(x => x.Actor, alice));
        locked.Find("[data-testid=private-only]").TextContent.ShouldBe("This registry keeps every collection private: it cannot be made public.");
        locked.FindAll("button").ShouldNotContain(b => b.TextContent.Contains("Make public"));

        var open = Render<DangerZone>(p => p.Add(x => x.Collection, old).Add(x => x.Actor, alice));
        open.FindAll("button").Single(b => b.TextContent.Contains("Make private")).Click();
        open.WaitForAssertion(() =>
        {
            using var db = Db.Factory.CreateDbContext();
            db.Collections.Single(c => c.Id == old.Id).IsPrivate.ShouldBeTrue();
        });
    }

    private async Task<Collection> CreateAsync(Actor owner, string name)
    {
        await using var db = await Db.Factory.CreateDbContextAsync();
        var entity = await db.Entities.Include(e => e.Team).SingleAsync(e => e.Name == owner.UserName);
        var created = await Services.GetRequiredService<CollectionService>().CreateAsync(owner, entity.Id, name, "");
        created.Succeeded.ShouldBeTrue(created.Message);
        created.Value!.Entity = entity;
        return created.Value;
    }
}
