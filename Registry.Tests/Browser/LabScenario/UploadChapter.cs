using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static Registry.Tests.Browser.LabScenario.Lab;

namespace Registry.Tests.Browser.LabScenario;

/// <summary>
/// A SIF uploaded through the page (resuming after a dropped connection), pulled with the real client, found in the
/// treemap and deleted. A chapter of <see cref="LabScenarioTests"/>, whose steps run in order and share <see
/// cref="ScenarioState"/>.
/// </summary>
internal sealed class UploadChapter(BrowserFixture fx, ITestOutputHelper output)
{
    private ScenarioState S => fx.State;

    public async Task S11_Upload_a_SIF_through_the_page_with_a_progress_bar_resuming_after_a_dropped_connection()
    {
        S.Require("S07");
        var alice = S.Alice!;
        var sif = S.UploadedSif = await fx.Sif.CreateAsync(UploadBytes);
        var size = new FileInfo(sif).Length;

        // Hold the upload's requests at three points so each state of the progress bar can be asserted without racing
        // a fast local upload. The first chunk is also slowed to 700 ms: the page reports speed over 500 ms windows.
        var firstChunk = new Gate();
        var secondChunk = new Gate();
        var finish = new Gate();
        // The third chunk's first attempt is cut off as a dropped connection would be: the page must ask the server how
        // far it got and send that chunk again (the pull in S12 then proves the bytes whole).
        var thirdChunkAttempts = 0;
        await alice.RouteAsync("**/browser-upload/**", route =>
        {
            var request = route.Request;
            Gate? gate = null;
            var minimum = TimeSpan.Zero;
            if (request.Method == "PUT" && request.Url.EndsWith($"/{2 * 8 * 1024 * 1024}") && Interlocked.Increment(ref thirdChunkAttempts) == 1)
                return route.AbortAsync("connectionreset");
            if (request.Method == "PUT" && request.Url.EndsWith("/0")) (gate, minimum) = (firstChunk, TimeSpan.FromMilliseconds(700));
            else if (request.Method == "PUT" && !secondChunk.Reached) gate = secondChunk;
            else if (request.Method == "POST" && request.Url.EndsWith("/finish")) gate = finish;
            if (gate is null) return route.ContinueAsync();
            _ = gate.HoldAsync(route, minimum); // continues the request when the test opens the gate
            return Task.CompletedTask;
        });

        try
        {
            await alice.OpenAsync($"/{Collection}/upload");
            await Expect(alice.GetByRole(AriaRole.Heading, Named($"Upload to {Collection}"))).ToBeVisibleAsync();
            var upload = alice.GetByRole(AriaRole.Button, Named("Upload"));
            await Expect(upload).ToBeDisabledAsync();

            await alice.GetByLabel("SIF file").SetInputFilesAsync(sif);
            // The page proposes a container name from the file name; the user then picks their own.
            var containerName = alice.GetByLabel("Container name");
            await Expect(containerName).ToHaveValueAsync(Path.GetFileNameWithoutExtension(sif));
            await containerName.EnterAsync("tool");
            await alice.GetByLabel("Tag", new() { Exact = true }).EnterAsync("v1");
            await alice.GetByLabel("Description (optional)").EnterAsync("uploaded from the browser");
            await Expect(upload).ToBeEnabledAsync();
            await upload.ClickAsync();

            var bar = alice.GetByRole(AriaRole.Progressbar, new() { Name = "Upload progress" });
            await firstChunk.WaitReachedAsync();
            await Expect(bar).ToBeVisibleAsync();
            await Expect(upload).ToBeDisabledAsync();
            await Expect(alice.GetByRole(AriaRole.Button, Named("Cancel"))).ToBeVisibleAsync();
            firstChunk.Open();

            // Mid-way: the first 8 MiB arrived, the second chunk is in flight.
            await secondChunk.WaitReachedAsync();
            await Expect(alice.GetByText(new Regex(@"^8\.0 MiB of 19 MiB \(42%\) · .+/s · \d+:\d\d left$"))).ToBeVisibleAsync();
            var now = double.Parse((await bar.GetAttributeAsync("aria-valuenow"))!, System.Globalization.CultureInfo.InvariantCulture);
            now.ShouldBeInRange(40, 45);
            await alice.SnapAsync(fx.ScreenshotDir, "upload");
            secondChunk.Open();

            // Everything sent: the bar is full while the server checks the file.
            await finish.WaitReachedAsync();
            await Expect(alice.GetByText(new Regex(@"\(100%\) · .*checking the file…$"))).ToBeVisibleAsync();
            await Expect(bar).ToHaveAttributeAsync("aria-valuenow", "100");
            finish.Open();

            // Done: the page goes to the new container.
            await Expect(alice).ToHaveURLAsync(EndsWith($"/{Collection}/tool"), new() { Timeout = 60_000 });
            await Expect(alice.GetByRole(AriaRole.Heading, Named("tool"))).ToBeVisibleAsync();
            var row = alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "v1" });
            await Expect(row).ToContainTextAsync("amd64");
            await Expect(row).ToContainTextAsync("uploaded from the browser");
            await Expect(row).ToContainTextAsync("alice");
            var hash = (await SifFiles.HashAsync(sif))["sha256.".Length..];
            await Expect(row).ToContainTextAsync(hash[..12]); // the sha256 column shows its first 12 hex digits
            Volatile.Read(ref thirdChunkAttempts).ShouldBe(2, "the cut-off chunk was not sent again");
            output.WriteLine($"uploaded {size} bytes, sha256 {hash}");
        }
        finally
        {
            firstChunk.Open(); secondChunk.Open(); finish.Open();
            await alice.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.IgnoreErrors });
        }
    }

    public async Task S12_Pull_it_with_the_real_library_client()
    {
        S.Require("S11");
        var target = fx.NewPath();
        var pull = await fx.LibAsync(S.AliceToken, "pullverify", $"{Collection}/tool:v1", target);
        pull.ExitCode.ShouldBe(0, pull.ToString());
        pull.Stdout.ShouldContain("hash=" + await SifFiles.HashAsync(S.UploadedSif!));
        var pulled = await File.ReadAllBytesAsync(target);
        var uploaded = await File.ReadAllBytesAsync(S.UploadedSif!);
        pulled.AsSpan().SequenceEqual(uploaded).ShouldBeTrue("the pulled file differs from the uploaded one");
    }

    public async Task S13_It_appears_in_the_treemap()
    {
        S.Require("S11");
        var alice = S.Alice!;
        await alice.OpenAsync("/treemap");
        var map = alice.GetByRole(AriaRole.Img, Named("Treemap of storage by collection"));
        await Expect(map).ToBeVisibleAsync();
        await Expect(map).ToContainTextAsync(Collection);
        await Expect(map).ToContainTextAsync(PublicCollection);
        await alice.SnapAsync(fx.ScreenshotDir, "treemap");

        // Click the collection to zoom in: its containers, the uploaded one among them; hovering names it with its size.
        await map.Locator("g").Filter(new() { HasText = Collection }).ClickAsync();
        var zoomed = alice.GetByRole(AriaRole.Img, Named("Treemap of storage by container"));
        await Expect(zoomed).ToBeVisibleAsync();
        await Expect(zoomed.Locator("text").Filter(new() { HasTextRegex = new Regex("^tool$") })).ToBeVisibleAsync();
        await alice.Mouse.MoveAsync(0, 0); // the click left the pointer where the new boxes appear: move in as a user does
        await zoomed.Locator("g").Filter(new() { HasText = $"{Collection}/tool:" }).HoverAsync();
        await Expect(alice.GetByText(new Regex($@"^{Regex.Escape(Collection)}/tool: 19 MiB$")).Filter(new() { Visible = true })).ToBeVisibleAsync();

        // Only what the viewer may see: anonymous gets the public collection only.
        var anonymous = S.Anonymous ?? (S.Anonymous = await fx.NewPageAsync());
        await anonymous.OpenAsync("/treemap");
        var theirs = anonymous.GetByRole(AriaRole.Img, Named("Treemap of storage by collection"));
        await Expect(theirs).ToContainTextAsync(PublicCollection);
        await Expect(theirs).Not.ToContainTextAsync(Collection);
    }

    public async Task S14_Delete_it_on_the_container_page()
    {
        S.Require("S11");
        var alice = S.Alice!;
        await alice.OpenAsync($"/{Collection}/tool");
        await Expect(alice.GetByRole(AriaRole.Heading, Named("tool"))).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "container");

        var row = alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "v1" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        var dialog = alice.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync($"Delete {Collection}/tool:v1 (amd64)?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(alice.GetByText("deleted v1 (amd64)")).ToBeVisibleAsync();

        // Gone: its last image took the container with it, so the page returns to the collection, which no longer lists it;
        // nor do the treemap and the library API.
        await Expect(alice).ToHaveURLAsync(EndsWith($"/{Collection}"));
        await Expect(alice.GetByRole(AriaRole.Link, Named("seed"))).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Link, Named("tool"))).ToHaveCountAsync(0);
        await alice.OpenAsync("/treemap");
        await alice.GetByRole(AriaRole.Img, Named("Treemap of storage by collection")).Locator("g").Filter(new() { HasText = Collection }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Img, Named("Treemap of storage by container"))).Not.ToContainTextAsync($"{Collection}/tool");
        var get = await fx.LibAsync(S.AliceToken, "get", $"{Collection}/tool:v1");
        get.ExitCode.ShouldBe(3, $"the deleted image is still served: {get}");
        var pull = await fx.LibAsync(S.AliceToken, "pull", $"{Collection}/tool:v1", fx.NewPath());
        pull.ExitCode.ShouldNotBe(0, $"the deleted image can still be pulled: {pull}");
    }

    /// <summary>Holds an intercepted request until the test opens it (never longer than the UI timeout).</summary>
    private sealed class Gate
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Reached => _reached.Task.IsCompleted;

        public async Task HoldAsync(IRoute route, TimeSpan minimum)
        {
            var started = DateTime.UtcNow;
            _reached.TrySetResult();
            await _open.Task.WaitAsync(BrowserFixture.UiTimeout * 3).ContinueWith(_ => { });
            var left = minimum - (DateTime.UtcNow - started);
            if (left > TimeSpan.Zero) await Task.Delay(left);
            try { await route.ContinueAsync(); } catch (PlaywrightException) { }
        }

        public Task WaitReachedAsync() => _reached.Task.WaitAsync(BrowserFixture.UiTimeout);

        public void Open() => _open.TrySetResult();
    }
}
