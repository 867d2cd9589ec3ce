using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Browser;

/// <summary>
/// A lab's life in the web UI, in real headless Chromium against the real server process (issue 3, "Tests that must
/// exist"): the admin publishes terms; alice signs up and must agree first; she creates a team and an invite link that
/// bob uses and carol cannot reuse; she pushes with a token made in the browser, adds bob as contributor, makes the
/// collection private (anonymous and carol get 404, bob sees it), uploads a SIF through the page while the progress bar
/// moves, pulls it with the real library client, finds it in the treemap and deletes it.
/// The steps run in name order and share state; a step whose predecessor failed says so instead of running.
/// Each main page is saved as a full-page screenshot in TestResults/screenshots/.
/// </summary>
[Collection(BrowserCollection.Name)]
[TestCaseOrderer(StepOrderer.TypeName, StepOrderer.AssemblyName)]
public sealed class LabScenarioTests(BrowserFixture fx, ITestOutputHelper output)
{
    private const string Team = "lab";
    private const string Collection = "alice/tools";   // private, with bob as contributor
    private const string PublicCollection = "alice/demo";
    private const long UploadBytes = 20_000_000;      // three 8 MiB chunks of the browser upload

    private ScenarioState S => fx.State;

    private static PageGetByRoleOptions Named(string name, bool exact = true) => new() { Name = name, Exact = exact };

    private static Regex EndsWith(string path) => new(Regex.Escape(path) + "$");

    // ------------------------------------------------------------------ steps

    [Fact]
    public Task S01_Admin_publishes_terms_version_1() => Step("S01", async () =>
    {
        S.AdminPassword = await fx.Server.CreateUserAsync("root", admin: true);
        var admin = S.Admin = await fx.NewPageAsync();
        await admin.SignInAsync("root", S.AdminPassword);

        await admin.OpenAsync("/admin");
        await Expect(admin.GetByRole(AriaRole.Heading, Named("Administration"))).ToBeVisibleAsync();
        await admin.GetByRole(AriaRole.Tab, Named("Terms")).ClickAsync();
        await Expect(admin.GetByText("Current version: 0")).ToBeVisibleAsync();
        await admin.GetByRole(AriaRole.Button, Named("Publish version 1")).ClickAsync();
        await admin.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        await Expect(admin.GetByText("Terms version 1 published")).ToBeVisibleAsync();
        await Expect(admin.GetByText("Current version: 1")).ToBeVisibleAsync();
    });

    [Fact]
    public Task S02_Sign_up_shows_the_terms_which_must_be_agreed_before_anything_works() => Step("S02", async () =>
    {
        S.Require("S01");
        var alice = S.Alice = await fx.NewPageAsync();
        await alice.RegisterAsync("alice", fx.ScreenshotDir);

        // The first thing a new account sees is the terms.
        await Expect(alice).ToHaveURLAsync(new Regex(@"/terms\?returnUrl=%2F$"));
        await alice.WaitForInteractiveAsync();
        await Expect(alice.GetByRole(AriaRole.Heading, Named("Terms of service"))).ToBeVisibleAsync();
        await Expect(alice.GetByTestId("terms-text")).ToContainTextAsync("Terms of use");
        await Expect(alice.GetByText("Please read and agree to the terms (version 1) to continue using the registry.")).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "terms");

        // Every page sends her back to the terms until she agrees (tokens included).
        foreach (var path in new[] { "/teams", "/auth/tokens", "/collections" })
        {
            await alice.GotoAsync(path);
            await Expect(alice).ToHaveURLAsync(new Regex(@"/terms\?returnUrl=" + Regex.Escape(Uri.EscapeDataString(path)) + "$"));
            await Expect(alice.GetByRole(AriaRole.Button, Named("I agree"))).ToBeVisibleAsync();
        }

        // Agreeing goes on to where she wanted to go (the last page tried: /collections).
        await alice.WaitForInteractiveAsync();
        await alice.GetByRole(AriaRole.Button, Named("I agree")).ClickAsync();
        await Expect(alice).ToHaveURLAsync(EndsWith("/collections"));
        await Expect(alice.GetByRole(AriaRole.Heading, Named("Collections"))).ToBeVisibleAsync();
        await alice.OpenAsync("/auth/tokens");
        await Expect(alice.GetByRole(AriaRole.Button, Named("Create token"))).ToBeVisibleAsync();
    });

    [Fact]
    public Task S03_Create_a_team() => Step("S03", async () =>
    {
        S.Require("S02");
        var alice = S.Alice!;
        await alice.OpenAsync("/teams");
        // Typed and clicked at once, as a hurried person does: no field is left first (the button once waited for that).
        await alice.GetByLabel("Name", new() { Exact = true }).FillAsync(Team);
        await alice.GetByLabel("Description").FillAsync("Structural biology lab");
        await alice.GetByRole(AriaRole.Button, Named("Create team")).ClickAsync();

        await Expect(alice).ToHaveURLAsync(EndsWith($"/teams/{Team}"));
        await Expect(alice.GetByRole(AriaRole.Heading, Named(Team))).ToBeVisibleAsync();
        await Expect(alice.GetByText("invite-only", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(alice.GetByText("Members (1)")).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "alice" })).ToContainTextAsync("owner");
    });

    [Fact]
    public Task S04_Create_an_invite_link() => Step("S04", async () =>
    {
        S.Require("S03");
        var alice = S.Alice!;
        await alice.GetByRole(AriaRole.Button, Named("Create invite link")).ClickAsync();
        var link = alice.GetByTestId("invite-link");
        await Expect(link).ToHaveTextAsync(new Regex("^" + Regex.Escape($"{fx.Server.BaseUrl}/teams/{Team}/join/") + @"\S+$"));
        S.InviteLink = (await link.InnerTextAsync()).Trim();
        await alice.SnapAsync(fx.ScreenshotDir, "team");
    });

    [Fact]
    public Task S05_Second_user_opens_the_link_and_joins() => Step("S05", async () =>
    {
        S.Require("S04");
        var bob = S.Bob = await fx.NewPageAsync();
        // Signed out, the invite page's two buttons lead to the real sign-in and sign-up pages (clicked, not typed).
        await bob.OpenAsync(S.InviteLink!);
        await bob.GetByRole(AriaRole.Link, Named("Sign in")).Last.ClickAsync();
        await bob.ExpectSignInFormAsync();
        await bob.GoBackAsync();
        await bob.WaitForInteractiveAsync();
        await bob.GetByRole(AriaRole.Link, Named("Create an account")).ClickAsync();
        await Expect(bob).ToHaveURLAsync(new Regex("/Account/Register\\?.*Invite="));
        await Expect(bob.GetByLabel("Confirm password")).ToBeVisibleAsync();
        await bob.RegisterAsync("bob");
        await bob.AgreeToTermsAsync();

        await bob.OpenAsync(S.InviteLink!);
        await Expect(bob.GetByRole(AriaRole.Heading, Named($"Join team {Team}"))).ToBeVisibleAsync();
        await Expect(bob.GetByText($"You were invited to the team {Team}")).ToBeVisibleAsync();
        await bob.GetByRole(AriaRole.Button, Named($"Join {Team}")).ClickAsync();
        await Expect(bob.GetByText($"You are now a member of {Team}")).ToBeVisibleAsync();

        var alice = S.Alice!;
        await alice.OpenAsync($"/teams/{Team}");
        await Expect(alice.GetByText("Members (2)")).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "bob" })).ToContainTextAsync("member");
    });

    [Fact]
    public Task S06_The_same_link_is_refused_to_a_third_user() => Step("S06", async () =>
    {
        S.Require("S05");
        var carol = S.Carol = await fx.NewPageAsync();
        await carol.RegisterAsync("carol");
        await carol.AgreeToTermsAsync();

        await carol.OpenAsync(S.InviteLink!);
        await Expect(carol.GetByTestId("invite-status")).ToHaveTextAsync(
            "This invite link has already been used. Invite links work only once: ask a team owner for a new one.");
        await Expect(carol.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Join") })).ToHaveCountAsync(0);

        var alice = S.Alice!;
        await alice.OpenAsync($"/teams/{Team}");
        await Expect(alice.GetByText("Members (2)")).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "carol" })).ToHaveCountAsync(0);
    });

    [Fact]
    public Task S07_A_token_made_in_the_browser_pushes_the_first_images() => Step("S07", async () =>
    {
        S.Require("S02");
        var alice = S.Alice!;
        await alice.OpenAsync("/auth/tokens");
        // Enter in the name field creates the token.
        await alice.GetByLabel("Name", new() { Exact = true }).FillAsync("laptop");
        await alice.GetByLabel("Name", new() { Exact = true }).PressAsync("Enter");
        var created = alice.GetByTestId("new-token");
        await Expect(created).ToContainTextAsync("Token “laptop” created. Copy it now: it will not be shown again.");
        S.AliceToken = (await created.Locator("code.token-secret").InnerTextAsync()).Trim();
        S.AliceToken.ShouldNotBeNullOrWhiteSpace();
        await Expect(alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "laptop" })).ToContainTextAsync("write");
        await alice.SnapAsync(fx.ScreenshotDir, "tokens");

        // The UI has no "new collection" form: a push creates the collection.
        foreach (var (target, size) in new[] { ($"{Collection}/seed", 300_000L), ($"{PublicCollection}/hello", 200_000L) })
        {
            var sif = await fx.Sif.CreateAsync(size);
            var push = await fx.LibAsync(S.AliceToken, "push", sif, target, "v1");
            push.ExitCode.ShouldBe(0, $"push {target}: {push}");
        }

        await alice.OpenAsync($"/{Collection}");
        await Expect(alice.GetByRole(AriaRole.Heading, Named(Collection))).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Link, Named("seed"))).ToBeVisibleAsync();
        await Expect(alice.GetByText("v1 · amd64")).ToBeVisibleAsync();

        await alice.OpenAsync("/collections");
        await Expect(alice.GetByRole(AriaRole.Link, Named(Collection))).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Link, Named(PublicCollection))).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "collections");
    });

    [Fact]
    public Task S08_Add_the_second_user_as_contributor() => Step("S08", async () =>
    {
        S.Require("S05", "S07");
        var alice = S.Alice!;
        await alice.OpenAsync($"/{Collection}/settings");
        await Expect(alice.GetByRole(AriaRole.Heading, Named($"Settings of {Collection}"))).ToBeVisibleAsync();
        await Expect(alice.GetByText("No other members.")).ToBeVisibleAsync();

        // Nobody is added unasked: bob is invited by name and becomes a contributor when he accepts on his home page.
        await alice.GetByLabel("User name", new() { Exact = true }).FillAsync("bob");
        await alice.GetByRole(AriaRole.Button, Named("Invite")).ClickAsync();
        await Expect(alice.GetByText("bob is invited: they become a contributor when they accept")).ToBeVisibleAsync();
        await Expect(alice.GetByText("No other members.")).ToBeVisibleAsync();
        var bob = S.Bob!;
        await bob.OpenAsync("/");
        await bob.GetByRole(AriaRole.Region, new() { Name = "Invitations" }).GetByRole(AriaRole.Button, new() { Name = $"Accept {Collection}", Exact = true }).ClickAsync();
        await Expect(bob.GetByText($"You are now a member of {Collection}")).ToBeVisibleAsync();

        await alice.ReloadAsync();
        await alice.WaitForInteractiveAsync();
        await Expect(alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "bob" }).First).ToContainTextAsync("contributor");
        await alice.SnapAsync(fx.ScreenshotDir, "settings");
    });

    [Fact]
    public Task S09_Make_the_collection_private() => Step("S09", async () =>
    {
        S.Require("S08");
        var alice = S.Alice!;
        await alice.GetByRole(AriaRole.Tab, Named("Danger zone")).ClickAsync();
        await Expect(alice.GetByText("This collection is public")).ToBeVisibleAsync();
        await alice.GetByRole(AriaRole.Button, Named("Make private")).ClickAsync();

        await Expect(alice.GetByText($"{Collection} is now private")).ToBeVisibleAsync();
        await Expect(alice.GetByText("This collection is private")).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Button, Named("Make public"))).ToBeVisibleAsync();
    });

    [Fact]
    public Task S10_Anonymous_and_strangers_cannot_see_it_the_contributor_can() => Step("S10", async () =>
    {
        S.Require("S09");
        var anonymous = S.Anonymous = await fx.NewPageAsync();
        var response = await anonymous.GotoAsync($"/{Collection}");
        response!.Status.ShouldBe(404);
        await Expect(anonymous.GetByRole(AriaRole.Heading, Named("Not found"))).ToBeVisibleAsync();
        await Expect(anonymous.GetByRole(AriaRole.Link, Named("seed"))).ToHaveCountAsync(0);

        // Not listed: the public collection shows (the grid has loaded), the private one does not.
        await anonymous.OpenAsync("/collections");
        await Expect(anonymous.GetByRole(AriaRole.Link, Named(PublicCollection))).ToBeVisibleAsync();
        await Expect(anonymous.GetByRole(AriaRole.Link, Named(Collection))).ToHaveCountAsync(0);

        // Not found by search either, nor by the library API.
        await anonymous.OpenAsync("/search?q=alice");
        await Expect(anonymous.GetByText($"{PublicCollection}/hello", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(anonymous.GetByText(Collection)).ToHaveCountAsync(0);
        var get = await fx.LibAsync(null, "get", $"{Collection}/seed:v1");
        get.ExitCode.ShouldBe(3, $"an anonymous library client must not find {Collection}: {get}");

        // A signed-in user who is neither owner nor contributor: 404 too.
        var carol = S.Carol!;
        (await carol.GotoAsync($"/{Collection}"))!.Status.ShouldBe(404);
        await Expect(carol.GetByRole(AriaRole.Heading, Named("Not found"))).ToBeVisibleAsync();

        // The contributor sees it, marked private.
        var bob = S.Bob!;
        (await bob.OpenAsync($"/{Collection}"))!.Status.ShouldBe(200);
        await Expect(bob.GetByRole(AriaRole.Heading, Named(Collection))).ToBeVisibleAsync();
        await Expect(bob.GetByText("private", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(bob.GetByRole(AriaRole.Link, Named("seed"))).ToBeVisibleAsync();
        await bob.OpenAsync("/collections");
        await Expect(bob.GetByRole(AriaRole.Link, Named(Collection))).ToBeVisibleAsync();
    });

    [Fact]
    public Task S11_Upload_a_SIF_through_the_page_with_a_progress_bar_resuming_after_a_dropped_connection() => Step("S11", async () =>
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
    });

    [Fact]
    public Task S12_Pull_it_with_the_real_library_client() => Step("S12", async () =>
    {
        S.Require("S11");
        var target = fx.NewPath();
        var pull = await fx.LibAsync(S.AliceToken, "pullverify", $"{Collection}/tool:v1", target);
        pull.ExitCode.ShouldBe(0, pull.ToString());
        pull.Stdout.ShouldContain("hash=" + await SifFiles.HashAsync(S.UploadedSif!));
        var pulled = await File.ReadAllBytesAsync(target);
        var uploaded = await File.ReadAllBytesAsync(S.UploadedSif!);
        pulled.AsSpan().SequenceEqual(uploaded).ShouldBeTrue("the pulled file differs from the uploaded one");
    });

    [Fact]
    public Task S13_It_appears_in_the_treemap() => Step("S13", async () =>
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
    });

    [Fact]
    public Task S14_Delete_it_on_the_container_page() => Step("S14", async () =>
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
    });

    [Fact]
    public Task S15_Screenshots_of_the_other_main_pages() => Step("S15", async () =>
    {
        S.Require("S07");
        var alice = S.Alice!;
        await alice.OpenAsync("/");
        await Expect(alice.GetByText("Recently updated")).ToBeVisibleAsync();
        await Expect(alice.GetByText($"{Collection}/seed", new() { Exact = true })).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "home");
        await alice.GetByText($"{Collection}/seed", new() { Exact = true }).ClickAsync();
        await Expect(alice).ToHaveURLAsync(EndsWith($"/{Collection}/seed"));

        await alice.OpenAsync("/teams");
        await Expect(alice.GetByRole(AriaRole.Link, Named(Team))).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "teams");

        await alice.OpenAsync("/search?q=seed");
        await Expect(alice.GetByRole(AriaRole.Heading, Named("Containers"))).ToBeVisibleAsync();
        await Expect(alice.GetByText($"{Collection}/seed", new() { Exact = true })).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "search");

        await alice.OpenAsync($"/{Collection}");
        await Expect(alice.GetByRole(AriaRole.Link, Named("seed"))).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "collection");

        // The same page on a phone: the app bar collapses into the menu button.
        await alice.SetViewportSizeAsync(390, 844);
        try
        {
            await Expect(alice.GetByRole(AriaRole.Button, Named("Open navigation"))).ToBeVisibleAsync();
            await alice.SnapAsync(fx.ScreenshotDir, "collection-phone");
        }
        finally { await alice.SetViewportSizeAsync(1366, 900); }

        // The admin, who published terms version 1, has to agree too before the admin pages work again.
        S.Require("S01");
        var admin = S.Admin!;
        await admin.GotoAsync("/admin");
        await Expect(admin).ToHaveURLAsync(new Regex(@"/terms\?returnUrl=%2Fadmin$"));
        await admin.WaitForInteractiveAsync();
        await admin.GetByRole(AriaRole.Button, Named("I agree")).ClickAsync();
        await Expect(admin).ToHaveURLAsync(EndsWith("/admin"));
        foreach (var user in new[] { "alice", "bob", "carol" })
            await Expect(admin.GetByRole(AriaRole.Row).Filter(new() { Has = admin.GetByRole(AriaRole.Link, Named(user)) })).ToBeVisibleAsync();
        await admin.SnapAsync(fx.ScreenshotDir, "admin");
    });

    [Fact]
    public Task S16_The_app_bar_leads_to_every_main_page() => Step("S16", async () =>
    {
        S.Require("S02");
        var alice = S.Alice!;
        await alice.OpenAsync("/teams");
        var bar = alice.GetByRole(AriaRole.Banner);
        foreach (var (name, path, heading) in new[]
                 {
                     ("Collections", "/collections", "Collections"), ("Treemap", "/treemap", "Storage"), ("Tokens", "/auth/tokens", "Access tokens"),
                     ("Keys", "/keys", "Signing keys"),
                     ("Teams", "/teams", "Teams"), ("Home", "/", "Registry"),
                 })
        {
            await bar.GetByText(name, new() { Exact = true }).ClickAsync();
            await Expect(alice).ToHaveURLAsync(new Regex("^" + Regex.Escape(fx.Server.BaseUrl + path) + "$"));
            await Expect(alice.GetByRole(AriaRole.Heading, Named(heading)).First).ToBeVisibleAsync();
        }

        // API docs: not a Blazor page, so a full load of the embedded Swagger UI, which renders the document under our CSP.
        await bar.GetByText("API", new() { Exact = true }).ClickAsync();
        await Expect(alice).ToHaveURLAsync(EndsWith("/api/index.html"));
        await Expect(alice.GetByRole(AriaRole.Heading, new() { Name = "Registry Library API" })).ToBeVisibleAsync();
        await Expect(alice.GetByText("/v1/images/{reference}", new() { Exact = true }).First).ToBeVisibleAsync();
        await alice.SnapAsync(fx.ScreenshotDir, "api");
    });

    [Fact]
    public Task S17_New_collection_from_the_collections_page() => Step("S17", async () =>
    {
        S.Require("S02");
        var alice = S.Alice!;
        await alice.OpenAsync("/collections");
        await alice.WaitForInteractiveAsync();
        await alice.GetByRole(AriaRole.Button, Named("New collection")).ClickAsync();
        var dialog = alice.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("New collection");

        // A name the registry can't use gets a friendly message with a suggestion, not a server error.
        var name = dialog.GetByLabel("Name", new() { Exact = true });
        await name.EnterAsync("Lab Notes");
        await Expect(dialog.GetByText("e.g. lab-notes")).ToBeVisibleAsync();
        await name.EnterAsync("lab-notes");
        await dialog.GetByLabel("Description").EnterAsync("Shared notebooks");
        await alice.SnapAsync(fx.ScreenshotDir, "new-collection");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();

        await Expect(alice).ToHaveURLAsync(EndsWith("/alice/lab-notes"));
        await Expect(alice.GetByRole(AriaRole.Heading, Named("alice/lab-notes"))).ToBeVisibleAsync();
        await Expect(alice.GetByText("Shared notebooks")).ToBeVisibleAsync();
    });

    [Fact]
    public Task S18_A_newcomer_reaches_sign_in_from_a_not_found_page_and_from_the_phone_menu() => Step("S18", async () =>
    {
        var visitor = await fx.NewPageAsync();
        await visitor.OpenAsync("/nobody/nothing-here");
        await Expect(visitor.GetByRole(AriaRole.Heading, Named("Not found"))).ToBeVisibleAsync();
        await visitor.GetByRole(AriaRole.Link, Named("Sign in")).Last.ClickAsync();
        await visitor.ExpectSignInFormAsync();

        await visitor.SetViewportSizeAsync(390, 844);
        await visitor.OpenAsync("/collections");
        await visitor.GetByRole(AriaRole.Button, Named("Open navigation")).ClickAsync();
        await visitor.GetByRole(AriaRole.Link, Named("Sign in")).Last.ClickAsync();
        await visitor.ExpectSignInFormAsync();
        await visitor.GoBackAsync();
        await visitor.WaitForInteractiveAsync();
        await visitor.GetByRole(AriaRole.Button, Named("Open navigation")).ClickAsync();
        await visitor.GetByRole(AriaRole.Link, Named("Register")).Last.ClickAsync();
        await Expect(visitor).ToHaveURLAsync(new Regex("/Account/Register"));
        await Expect(visitor.GetByLabel("Confirm password")).ToBeVisibleAsync();
    });

    [Fact]
    public Task S19_An_admin_disables_a_signed_in_user_whose_open_page_loses_its_powers_at_once() => Step("S19", async () =>
    {
        S.Require("S15"); // the admin has agreed to the terms
        var dave = await fx.NewPageAsync();
        await dave.RegisterAsync("dave");
        await dave.AgreeToTermsAsync();
        await dave.OpenAsync("/collections");
        await Expect(dave.GetByRole(AriaRole.Button, Named("New collection"))).ToBeVisibleAsync();

        var admin = S.Admin!;
        await admin.OpenAsync("/admin");
        var disable = admin.GetByLabel("Disable dave");
        var dialog = admin.GetByRole(AriaRole.Dialog);
        // Disabling asks first; Cancel leaves dave enabled, the switch off and his page as it was.
        await disable.ClickAsync(new() { Force = true });
        await Expect(dialog.GetByText("Disable dave?")).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(disable).Not.ToBeCheckedAsync();
        await Expect(admin.GetByText("dave disabled")).ToHaveCountAsync(0);
        await Expect(dave.GetByRole(AriaRole.Button, Named("New collection"))).ToBeVisibleAsync();

        await disable.ClickAsync(new() { Force = true });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Disable", Exact = true }).ClickAsync();
        await Expect(admin.GetByText("dave disabled")).ToBeVisibleAsync();

        // No click, no reload by dave: his open page is signed out within moments, not at the next 30-minute check.
        await Expect(dave.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(dave.GetByRole(AriaRole.Button, Named("New collection"))).ToHaveCountAsync(0);
        await dave.OpenAsync("/collections");
        await Expect(dave.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
    });

    // ------------------------------------------------------------------ plumbing

    /// <summary>Runs a step; on failure adds what every open page shows (and screenshots it) to the exception.</summary>
    private async Task Step(string name, Func<Task> body)
    {
        try
        {
            await body();
            S.Passed(name);
        }
        catch (Exception e) when (e is not InvalidOperationException { Message: var m } || !m.StartsWith("not run:"))
        {
            var evidence = await BlazorPages.EvidenceAsync(S.Pages, fx.ScreenshotDir, name, fx.LogOf);
            var log = string.Join('\n', fx.Server.Log.Split('\n').TakeLast(25));
            output.WriteLine($"--- pages at failure ---\n{evidence}\n--- server log (tail) ---\n{log}");
            throw new StepFailedException($"{name} failed: {e.Message.Split('\n')[0]}\n--- pages at failure ---\n{evidence}", e);
        }
    }

    private sealed class StepFailedException(string message, Exception inner) : Exception(message, inner);

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
