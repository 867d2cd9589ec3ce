using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Browser;

/// <summary>
/// A browser upload that a hurried person interrupts: the page warns before they leave it, lists what is unfinished
/// after a reload, and picking the same file again resumes from the bytes the server has instead of starting over.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class UploadResumeTests(BrowserFixture fx)
{
    private const int Chunk = 8 * 1024 * 1024;

    [Fact]
    public async Task A_reload_mid_upload_warns_first_and_the_same_file_picked_again_resumes_where_it_stopped()
    {
        var password = "Pw-resume-" + Guid.NewGuid().ToString("N")[..8] + "-aZ9!";
        await fx.Server.AdminOkAsync("user", "add", "dora", "--accept-terms", "--password", password);
        var token = await fx.Server.CreateTokenAsync("dora");
        (await fx.LibAsync(token, "push", await fx.Sif.CreateAsync(100_000), "dora/lab/seed", "v1")).ExitCode.ShouldBe(0);
        var sif = await fx.Sif.CreateAsync(20_000_000); // three 8 MiB chunks

        var page = await fx.NewPageAsync();
        var dialogs = new ConcurrentQueue<string>();
        page.Dialog += async (_, d) =>
        {
            dialogs.Enqueue($"{d.Type}: {d.Message}");
            if (d.Type == DialogType.BeforeUnload) await d.AcceptAsync(); else await d.DismissAsync();
        };
        // The connection drops for good after the first chunk: every later chunk is cut off.
        await page.RouteAsync("**/browser-upload/**", route =>
            route.Request.Method == "PUT" && !route.Request.Url.EndsWith("/0") ? route.AbortAsync("connectionreset") : route.ContinueAsync());

        // From the home page as a person goes: Collections, Mine, the collection, Upload (never by typing its address).
        await page.SignInAsync("dora", password);
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Collections", Exact = true }).ClickAsync();
        await page.GetByText("Mine", new() { Exact = true }).ClickAsync();
        // The filter puts itself in the address; a click on a collection before that lands is sent back to the list.
        await Expect(page).ToHaveURLAsync(new Regex("/collections\\?filter=mine$"));
        await page.GetByRole(AriaRole.Link, new() { Name = "dora/lab", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/dora/lab$"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Upload", Exact = true }).ClickAsync();
        await page.GetByLabel("SIF file").SetInputFilesAsync(sif);
        // The page proposes a name from the file first: typing before it arrives would race it.
        await Expect(page.GetByLabel("Container name")).ToHaveValueAsync(Path.GetFileNameWithoutExtension(sif));
        await page.GetByLabel("Container name").EnterAsync("big");
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        await Expect(page.GetByText(new Regex(@"^8\.0 MiB of 19 MiB \(42%\)"))).ToBeVisibleAsync();

        // Leaving through the app asks first; "stay" keeps the page and the upload.
        await page.GetByRole(AriaRole.Link, new() { Name = "Collections", Exact = true }).First.ClickAsync();
        await WaitForAsync(() => dialogs.Any(d => d.StartsWith("confirm: An upload is running")), "no confirmation before leaving");
        await Expect(page).ToHaveURLAsync(new Regex("/dora/lab/upload$"));

        // A reload asks too (the browser's own leave-page prompt); the page comes back with the unfinished upload listed.
        await page.ReloadAsync();
        await WaitForAsync(() => dialogs.Any(d => d.StartsWith("beforeunload")), "no leave-page prompt before the reload");
        var unfinished = page.GetByRole(AriaRole.Region, new() { Name = "Unfinished uploads" });
        await Expect(unfinished).ToContainTextAsync("dora/lab/big:latest");
        await Expect(unfinished).ToContainTextAsync("8.0 MiB of 19 MiB");

        // The connection is back. Picking the same file resumes: the first chunk is never sent again.
        await page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.IgnoreErrors });
        var offsets = new ConcurrentQueue<long>();
        page.Request += (_, r) =>
        {
            if (r.Method == "PUT" && r.Url.Contains("/browser-upload/")) offsets.Enqueue(long.Parse(r.Url.Split('/')[^1]));
        };
        await page.WaitForInteractiveAsync();
        await page.GetByLabel("SIF file").SetInputFilesAsync(sif);
        // The page proposes a name from the file first: typing before it arrives would race it.
        await Expect(page.GetByLabel("Container name")).ToHaveValueAsync(Path.GetFileNameWithoutExtension(sif));
        await page.GetByLabel("Container name").EnterAsync("big");
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();

        try { await Expect(page).ToHaveURLAsync(new Regex("/dora/lab/big$"), new() { Timeout = 60_000 }); }
        catch (PlaywrightException e) { throw new Exception($"{e.Message}\n--- page ---\n{await page.InnerTextAsync("body")}\n--- PUT offsets: {string.Join(",", offsets)}\n--- server ---\n{string.Join("\n", fx.Server.Log.Split("\n").TakeLast(40))}", e); }
        offsets.ShouldBe([Chunk, 2 * Chunk]);
        var hash = (await SifFiles.HashAsync(sif))["sha256.".Length..];
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "latest" })).ToContainTextAsync(hash[..12]);
    }

    private static async Task WaitForAsync(Func<bool> condition, string failure)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(100);
        condition().ShouldBeTrue(failure);
    }
}
