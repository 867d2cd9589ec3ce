using Microsoft.Playwright;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Browser;

/// <summary>
/// Shared by the browser tests: what the end-to-end tests share (<see cref="RegistryFixture"/>: the server process, the
/// Go library-client driver, scratch space for SIF files) and one headless Debian Chromium driven by Microsoft.Playwright.
/// Screenshots go to <c>&lt;repo&gt;/TestResults/screenshots/</c>.
/// </summary>
public sealed class BrowserFixture() : RegistryFixture("registry-browser-work-")
{
    /// <summary>Debian's chromium; Playwright's own browser downloads are never used.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Upper bound for any single wait on the page (navigation, locator, assertion).</summary>
    public static readonly TimeSpan UiTimeout = TimeSpan.FromSeconds(30);

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private readonly List<IBrowserContext> _contexts = [];
    private readonly Dictionary<IPage, PageLog> _logs = [];

    /// <summary>Recent console output, errors and circuit traffic of a page made by <see cref="NewPageAsync"/>.</summary>
    public PageLog? LogOf(IPage page)
    {
        lock (_logs) return _logs.GetValueOrDefault(page);
    }

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("browser not started");

    /// <summary><c>&lt;repo&gt;/TestResults/screenshots</c>: one full-page PNG per main page, plus <c>failures/</c>.</summary>
    public string ScreenshotDir { get; } = Path.Combine(RepoPaths.RepoRoot, "TestResults", "screenshots");

    /// <summary>State handed from one ordered step to the next.</summary>
    public ScenarioState State { get; } = new();

    public override async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDir);
        foreach (var old in Directory.EnumerateFiles(ScreenshotDir, "*.*", SearchOption.AllDirectories))
            if (old.EndsWith(".png") || old.EndsWith(".log")) File.Delete(old);

        await base.InitializeAsync(); // the server and the Go driver
        _playwright = await PlaywrightDriver.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            Timeout = (float)TimeSpan.FromSeconds(60).TotalMilliseconds,
        });
        Assertions.SetDefaultExpectTimeout((float)UiTimeout.TotalMilliseconds);
    }

    /// <summary>A fresh browser context (own cookies: one user), laptop-sized, with bounded timeouts.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = Server.BaseUrl,
            ViewportSize = new() { Width = 1366, Height = 900 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout((float)UiTimeout.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)UiTimeout.TotalMilliseconds);
        lock (_contexts) _contexts.Add(context);
        var page = await context.NewPageAsync();
        lock (_logs) _logs[page] = PageLog.Attach(page);
        return page;
    }

    public override async Task DisposeAsync()
    {
        foreach (var context in _contexts)
            try { await context.CloseAsync(); } catch (PlaywrightException) { }
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
