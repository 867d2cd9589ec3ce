using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Browser;

/// <summary>
/// Issue 12: on /collections, a collection clicked right after "Mine" (before the address shows the filter) opens, instead
/// of the page going back to the list when the filter's address change arrives; "Mine" left alone still filters and puts
/// itself in the address.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CollectionsFilterTests(BrowserFixture fx)
{
    private static PageGetByRoleOptions Named(string name) => new() { Name = name, Exact = true };

    [Fact]
    public async Task A_collection_clicked_right_after_choosing_Mine_opens_and_stays_open()
    {
        // Names that sort first, so both are on the list's first page whatever other tests left on this server.
        var me = RegistryFixture.Unique("aahasty");
        var other = RegistryFixture.Unique("aaother");
        var password = "Pw-" + Guid.NewGuid().ToString("N") + "-aZ9!";
        await fx.Server.AdminOkAsync("user", "add", me, "--accept-terms", "--password", password);
        await fx.Server.AdminOkAsync("user", "add", other, "--accept-terms");
        (await fx.LibAsync(await fx.Server.CreateTokenAsync(me), "push", await fx.Sif.CreateAsync(40_000), $"{me}/box/seed", "v1")).ExitCode.ShouldBe(0);
        (await fx.LibAsync(await fx.Server.CreateTokenAsync(other), "push", await fx.Sif.CreateAsync(40_000), $"{other}/shelf/seed", "v1")).ExitCode.ShouldBe(0);

        var page = await fx.NewPageAsync();
        await page.SignInAsync(me, password);
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Collections", Exact = true }).ClickAsync();
        var mine = page.GetByText("Mine", new() { Exact = true });
        var box = page.GetByRole(AriaRole.Link, Named($"{me}/box"));
        await Expect(box).ToBeVisibleAsync();
        await Expect(mine).ToBeVisibleAsync();

        // "Mine", then the collection, before the server has answered the first click: one task in the page, no gap.
        await page.EvaluateAsync("([mine, box]) => { mine.click(); box.click(); }",
            new[] { await mine.ElementHandleAsync(), await box.ElementHandleAsync() });

        await Expect(page.GetByRole(AriaRole.Link, Named("seed"))).ToBeVisibleAsync();
        // It stays: the filter's late address change must not take the user back to the list.
        for (var i = 0; i < 20; i++)
        {
            page.Url.ShouldEndWith($"/{me}/box", Case.Sensitive, $"left the collection after {i * 100} ms");
            await page.WaitForTimeoutAsync(100);
        }
        await Expect(page.GetByRole(AriaRole.Link, Named("seed"))).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, Named("New collection"))).ToHaveCountAsync(0); // not the list

        // Back on the list, "Mine" on its own filters and puts itself in the address (a reload keeps it).
        await page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Collections", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, Named($"{other}/shelf"))).ToBeVisibleAsync();
        await mine.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/collections\\?filter=mine$"));
        await Expect(page.GetByRole(AriaRole.Link, Named($"{other}/shelf"))).ToHaveCountAsync(0);
        await Expect(box).ToBeVisibleAsync();
        await page.ReloadAsync();
        await page.WaitForInteractiveAsync();
        await Expect(box).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, Named($"{other}/shelf"))).ToHaveCountAsync(0);
    }
}
