using Xunit.Abstractions;

namespace Registry.Tests.Browser.LabScenario;

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
    private ScenarioState S => fx.State;

    private readonly SignUpChapter signUp = new(fx);
    private readonly TeamChapter team = new(fx);
    private readonly PushChapter push = new(fx);
    private readonly UploadChapter upload = new(fx, output);
    private readonly PagesChapter pages = new(fx);

    // ------------------------------------------------------------------ steps (each chapter in its own file)

    [Fact]
    public Task S01_Admin_publishes_terms_version_1() =>
        Step("S01", signUp.S01_Admin_publishes_terms_version_1);

    [Fact]
    public Task S02_Sign_up_shows_the_terms_which_must_be_agreed_before_anything_works() =>
        Step("S02", signUp.S02_Sign_up_shows_the_terms_which_must_be_agreed_before_anything_works);

    [Fact]
    public Task S03_Create_a_team() =>
        Step("S03", team.S03_Create_a_team);

    [Fact]
    public Task S04_Create_an_invite_link() =>
        Step("S04", team.S04_Create_an_invite_link);

    [Fact]
    public Task S05_Second_user_opens_the_link_and_joins() =>
        Step("S05", team.S05_Second_user_opens_the_link_and_joins);

    [Fact]
    public Task S06_The_same_link_is_refused_to_a_third_user() =>
        Step("S06", team.S06_The_same_link_is_refused_to_a_third_user);

    [Fact]
    public Task S07_A_token_made_in_the_browser_pushes_the_first_images() =>
        Step("S07", push.S07_A_token_made_in_the_browser_pushes_the_first_images);

    [Fact]
    public Task S08_Add_the_second_user_as_contributor() =>
        Step("S08", push.S08_Add_the_second_user_as_contributor);

    [Fact]
    public Task S09_Make_the_collection_private() =>
        Step("S09", push.S09_Make_the_collection_private);

    [Fact]
    public Task S10_Anonymous_and_strangers_cannot_see_it_the_contributor_can() =>
        Step("S10", push.S10_Anonymous_and_strangers_cannot_see_it_the_contributor_can);

    [Fact]
    public Task S11_Upload_a_SIF_through_the_page_with_a_progress_bar_resuming_after_a_dropped_connection() =>
        Step("S11", upload.S11_Upload_a_SIF_through_the_page_with_a_progress_bar_resuming_after_a_dropped_connection);

    [Fact]
    public Task S12_Pull_it_with_the_real_library_client() =>
        Step("S12", upload.S12_Pull_it_with_the_real_library_client);

    [Fact]
    public Task S13_It_appears_in_the_treemap() =>
        Step("S13", upload.S13_It_appears_in_the_treemap);

    [Fact]
    public Task S14_Delete_it_on_the_container_page() =>
        Step("S14", upload.S14_Delete_it_on_the_container_page);

    [Fact]
    public Task S15_Screenshots_of_the_other_main_pages() =>
        Step("S15", pages.S15_Screenshots_of_the_other_main_pages);

    [Fact]
    public Task S16_The_app_bar_leads_to_every_main_page() =>
        Step("S16", pages.S16_The_app_bar_leads_to_every_main_page);

    [Fact]
    public Task S17_New_collection_from_the_collections_page() =>
        Step("S17", pages.S17_New_collection_from_the_collections_page);

    [Fact]
    public Task S18_A_newcomer_reaches_sign_in_from_a_not_found_page_and_from_the_phone_menu() =>
        Step("S18", pages.S18_A_newcomer_reaches_sign_in_from_a_not_found_page_and_from_the_phone_menu);

    [Fact]
    public Task S19_An_admin_disables_a_signed_in_user_whose_open_page_loses_its_powers_at_once() =>
        Step("S19", pages.S19_An_admin_disables_a_signed_in_user_whose_open_page_loses_its_powers_at_once);

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
}
