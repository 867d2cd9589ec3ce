using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Browser;

/// <summary>
/// Issue 12 must-fix 5 and 7, clicked from the home page: the pull snippets name tags the container has, an owner tags,
/// retags and untags an image on the container page, and what the page then offers really pulls (library client, shub manifest).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TaggingTests(BrowserFixture fx)
{
    private const string User = "tagger";
    private const string Path = "tagger/tagbench/demo";

    private static PageGetByRoleOptions Named(string name) => new() { Name = name, Exact = true };

    private ILocator Snippet(IPage page, string start) => page.Locator("code", new() { HasTextRegex = new Regex("^" + Regex.Escape(start)) });

    [Fact]
    public async Task An_owner_tags_and_untags_from_the_container_page_and_every_snippet_pulls()
    {
        var password = "Pw-" + Guid.NewGuid().ToString("N") + "-aZ9!";
        await fx.Server.AdminOkAsync("user", "add", User, "--accept-terms", "--password", password);
        var token = await fx.Server.CreateTokenAsync(User);
        foreach (var (tag, size) in new[] { ("v1", 100_000L), ("v2", 120_000L) })
        {
            var push = await fx.LibAsync(token, "push", await fx.Sif.CreateAsync(size), Path, tag);
            push.ExitCode.ShouldBe(0, push.ToString());
        }

        var page = await fx.NewPageAsync();
        await page.SignInAsync(User, password);
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, Named(Path)).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, Named("demo"))).ToBeVisibleAsync();
        // The newest tag is selected and named; "latest" doesn't exist and is offered nowhere.
        await Expect(Snippet(page, "apptainer pull library://")).ToHaveTextAsync($"apptainer pull library://{Host}/{Path}:v2");
        await Expect(page.Locator("code", new() { HasText = ":latest" })).ToHaveCountAsync(0);
        await Expect(Snippet(page, "apptainer pull oras://")).ToHaveTextAsync($"apptainer pull oras://{Host}/{Path}:v2");

        // Enter in the new-tag field adds it; the snippet follows the selected row.
        var field = page.GetByLabel("New tag");
        await field.FillAsync("latest");
        await field.PressAsync("Enter");
        await Expect(page.GetByText("tagged latest (amd64)")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Cell, Named("latest")).ClickAsync();
        await Expect(Snippet(page, "apptainer pull library://")).ToHaveTextAsync($"apptainer pull library://{Host}/{Path}:latest");
        (await fx.LibAsync(null, "pull", $"{Path}:latest", fx.NewPath())).ExitCode.ShouldBe(0);

        // Removing v1 asks first, then v1 no longer resolves; its image stays, untagged and pulled by its hash.
        await page.GetByRole(AriaRole.Cell, Named("v1")).ClickAsync();
        await page.GetByRole(AriaRole.Button, Named("Remove tag v1")).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("Remove the tag v1 (amd64)?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Remove", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, Named("(untagged)"))).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Cell, Named("v1"))).ToHaveCountAsync(0);
        await Expect(Snippet(page, "apptainer pull library://")).ToHaveTextAsync(new Regex($@"^apptainer pull library://{Regex.Escape(Host)}/{Path}:sha256\.[0-9a-f]{{64}}$"));
        await Expect(Snippet(page, "apptainer pull oras://")).ToHaveTextAsync(new Regex($@"^apptainer pull oras://{Regex.Escape(Host)}/{Path}@sha256:[0-9a-f]{{64}}$"));
        (await fx.LibAsync(null, "get", $"{Path}:v1")).ExitCode.ShouldNotBe(0);
        var byHash = (await Snippet(page, "apptainer pull library://").InnerTextAsync()).Split("library://" + Host + "/")[1];
        (await fx.LibAsync(null, "pull", byHash, fx.NewPath())).ExitCode.ShouldBe(0);

        // The collection page (through the breadcrumb) offers the real tag for both protocols, and the shub one resolves.
        await page.GetByRole(AriaRole.Link, Named("tagbench")).ClickAsync();
        await Expect(Snippet(page, "apptainer pull library://")).ToHaveTextAsync($"apptainer pull library://{Host}/{Path}:latest");
        var shub = Snippet(page, "singularity pull");
        await Expect(shub).ToHaveTextAsync($"singularity pull shub://{Host}/tagbench/demo:latest");
        using var http = new HttpClient();
        var manifest = await http.GetAsync($"{fx.Server.BaseUrl}/api/container/tagbench/demo:latest");
        manifest.StatusCode.ShouldBe(HttpStatusCode.OK, await manifest.Content.ReadAsStringAsync());
    }

    private string Host => new Uri(fx.Server.BaseUrl).Authority;
}
