using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Browser;

/// <summary>
/// Issue 18, clicked as a hurried user does from the home page: a collection of more containers than a page, its next
/// page, a container of more tags than a page, its next page of tags, and there a tag frozen and an image deleted; the
/// page stays on the second page and shows what the server now holds. No address typed after the first load.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TagPagesTests(BrowserFixture fx)
{
    private static PageGetByRoleOptions Named(string name) => new() { Name = name, Exact = true };

    private static LocatorGetByRoleOptions In(string name) => new() { Name = name, Exact = true };

    private static ILocator RowOf(IPage page, string tag) =>
        page.Locator("tbody tr").Filter(new() { Has = page.Locator("td[data-label=Tag] b", new() { HasTextRegex = new Regex($"^{tag}$") }) });

    private static ILocator Snippet(IPage page, string start) => page.Locator("code", new() { HasTextRegex = new Regex("^" + Regex.Escape(start)) });

    [Fact]
    public async Task A_tag_on_the_second_page_of_a_container_on_the_second_page_is_frozen_and_another_deleted()
    {
        var me = RegistryFixture.Unique("aapager"); // sorts first among the collections
        var password = "Pw-" + Guid.NewGuid().ToString("N") + "-aZ9!";
        await fx.Server.AdminOkAsync("user", "add", me, "--accept-terms", "--password", password);
        using var http = TestHttp.Client(new Uri(fx.Server.BaseUrl), await fx.Server.CreateTokenAsync(me));
        var library = new LibraryClient(http);
        // 51 containers c00…c50, then "tall": the collection's second page holds c50 and tall. tall's oldest image carries
        // old-a and old-b, its newest n00…n52 (one after the other, so n52 is the newest tag): page 2 is n02 n01 n00 old-b old-a.
        await library.PushAsync(me, "shelf", "c00", SifBuilder.Bytes(4096), "v1");
        for (var batch = 1; batch <= 50; batch += 10)
            await Task.WhenAll(Enumerable.Range(batch, Math.Min(10, 51 - batch)).Select(i => library.PushAsync(me, "shelf", $"c{i:D2}", SifBuilder.Bytes(4096), "v1")));
        await library.PushAsync(me, "shelf", "tall", SifBuilder.Bytes(4096), "old-a", "old-b");
        await library.PushAsync(me, "shelf", "tall", SifBuilder.Bytes(4096), [.. Enumerable.Range(0, 53).Select(i => $"n{i:D2}")]);

        var page = await fx.NewPageAsync();
        await page.SignInAsync(me, password); // ends on the home page
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, In("Collections")).ClickAsync();
        await page.GetByText("Mine", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, Named($"{me}/shelf")).ClickAsync();

        var containerPages = page.Locator("[data-container-pages]");
        await Expect(containerPages).ToContainTextAsync("page 1 of 2 · 52 containers");
        await Expect(page.GetByRole(AriaRole.Link, Named("c00"))).ToBeVisibleAsync();
        await containerPages.GetByText("Next", new() { Exact = true }).ClickAsync();
        await Expect(containerPages).ToContainTextAsync("page 2 of 2");
        await page.GetByRole(AriaRole.Link, Named("tall")).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, Named("tall"))).ToBeVisibleAsync();
        var tagPages = page.Locator("[data-tag-pages]");
        await Expect(tagPages).ToContainTextAsync("page 1 of 2 · 55 tag rows");
        await Expect(RowOf(page, "n52")).ToBeVisibleAsync();
        await tagPages.GetByText("Next", new() { Exact = true }).ClickAsync();
        await Expect(tagPages).ToContainTextAsync("page 2 of 2");
        await Expect(page.Locator("td[data-label=Tag] b")).ToHaveTextAsync(["n02", "n01", "n00", "old-b", "old-a"]);

        // A row of this page: its pull commands name its tag on both protocols.
        var host = new Uri(fx.Server.BaseUrl).Authority;
        await RowOf(page, "n00").Locator("td[data-label=Arch]").ClickAsync();
        await Expect(Snippet(page, "apptainer pull library://")).ToHaveTextAsync($"apptainer pull library://{host}/{me}/shelf/tall:n00");
        await Expect(Snippet(page, "apptainer pull oras://")).ToHaveTextAsync($"apptainer pull oras://{host}/{me}/shelf/tall:n00");

        await RowOf(page, "n01").GetByRole(AriaRole.Button, In("Freeze")).ClickAsync();
        await Expect(page.GetByText("n01 (amd64) frozen")).ToBeVisibleAsync();
        await Expect(RowOf(page, "n01")).ToContainTextAsync("frozen");
        await Expect(RowOf(page, "n01").GetByRole(AriaRole.Button, In("Delete"))).ToBeDisabledAsync();

        await RowOf(page, "old-a").GetByRole(AriaRole.Button, In("Delete")).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync($"Delete {me}/shelf/tall:old-a (amd64)?");
        await dialog.GetByRole(AriaRole.Button, In("Delete")).ClickAsync();
        await Expect(page.GetByText("deleted old-a (amd64)")).ToBeVisibleAsync();
        // Every tag on that image went with it; the page is still the second one.
        await Expect(page.Locator("td[data-label=Tag] b")).ToHaveTextAsync(["n02", "n01", "n00"]);
        await Expect(tagPages).ToContainTextAsync("page 2 of 2 · 53 tag rows");
        await Expect(page).ToHaveURLAsync(new Regex($"/{me}/shelf/tall\\?page=2$"));
        (await library.PullAsync($"{me}/shelf/tall:old-b")).ShouldBeNull();
        (await library.PullAsync($"{me}/shelf/tall:n01")).ShouldNotBeNull();
        var refused = await library.SendAsync(HttpMethod.Delete, $"/v1/images/{me}/shelf/tall:n01?arch=amd64");
        refused.Status.ShouldBe(System.Net.HttpStatusCode.Forbidden, refused.Body?.ToJsonString()); // frozen
    }
}
