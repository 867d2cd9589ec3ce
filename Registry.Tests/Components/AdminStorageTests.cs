using Bunit;
using Microsoft.EntityFrameworkCore;
using Registry.Web.Components.Pages.Admin;
using Registry.Web.Components.Shared;

namespace Registry.Tests.Components;

/// <summary>Issue 12 should-fix: admins edit quotas on /admin (Storage), not only with <c>admin quota</c>.</summary>
public sealed class AdminStorageTests : RegistryTestContext
{
    [Fact]
    public async Task An_admin_sets_a_quota_with_Enter_a_bad_one_is_explained_and_default_restores_the_registrys()
    {
        var root = await Db.AddUserAsync("root", isAdmin: true);
        await Db.AddUserAsync("alice");
        SignIn(root);
        RenderProviders();
        var view = Render<AdminStorage>(p => p.Add(x => x.Actor, root));
        Func<string> aliceQuota = () => view.FindAll("tbody tr").Single(r => r.TextContent.Contains("alice")).QuerySelector("[data-testid=quota]")!.TextContent;
        view.WaitForAssertion(() => aliceQuota().ShouldBe("default"));

        view.Find("button[aria-label='Edit quota of alice']").Click();
        view.Find("form input").Input("lots");
        view.Find("form").Submit();
        view.WaitForAssertion(() => view.Markup.ShouldContain("Type a size like 500M, 20G or 1T, 'unlimited' or 'default'."));

        view.Find("form input").Input("2G");
        view.Find("form").Submit();
        view.WaitForAssertion(() => aliceQuota().ShouldBe(Format.Bytes(2L << 30)));
        await using (var db = await Db.Factory.CreateDbContextAsync())
            (await db.Entities.SingleAsync(e => e.Name == "alice")).QuotaBytes.ShouldBe(2L << 30);

        view.Find("button[aria-label='Edit quota of alice']").Click();
        view.Find("form input").Input("default");
        view.Find("form").Submit();
        view.WaitForAssertion(() => aliceQuota().ShouldBe("default"));
    }

    [Fact]
    public async Task A_non_admin_rendering_it_changes_nothing()
    {
        var alice = await Db.AddUserAsync("alice");
        SignIn(alice);
        RenderProviders();
        var view = Render<AdminStorage>(p => p.Add(x => x.Actor, alice));
        view.WaitForAssertion(() => view.Find("button[aria-label='Edit quota of alice']"));
        view.Find("button[aria-label='Edit quota of alice']").Click();
        view.Find("form input").Input("1T");
        view.Find("form").Submit();
        view.WaitForAssertion(() => view.Markup.ShouldContain("only admins set quotas"));
        await using var db = await Db.Factory.CreateDbContextAsync();
        (await db.Entities.SingleAsync(e => e.Name == "alice")).QuotaBytes.ShouldBeNull();
    }
}
