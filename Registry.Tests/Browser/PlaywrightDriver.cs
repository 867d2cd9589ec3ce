using Microsoft.Playwright;

namespace Registry.Tests.Browser;

/// <summary>
/// Starts the Playwright .NET driver. It runs <c>.playwright/package/cli.js</c> with the Node.js binary the NuGet
/// package ships in <c>.playwright/node/&lt;platform&gt;/node</c> (copied next to the test assembly), so no system
/// node and no <c>playwright install</c> are needed. A copy that lost its execute bit is repaired first.
/// </summary>
public static class PlaywrightDriver
{
    public static async Task<IPlaywright> CreateAsync()
    {
        var driverDir = Path.Combine(AppContext.BaseDirectory, ".playwright");
        var node = Path.Combine(driverDir, "node", OperatingSystem.IsLinux() ? "linux-x64" : "", "node");
        if (OperatingSystem.IsLinux() && File.Exists(node))
        {
            var mode = File.GetUnixFileMode(node);
            const UnixFileMode exec = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & UnixFileMode.UserExecute) == 0) File.SetUnixFileMode(node, mode | exec);
        }
        try
        {
            return await Playwright.CreateAsync();
        }
        catch (Exception e) when (e is PlaywrightException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"The Playwright driver did not start (driver folder {driverDir}, bundled node {node}, exists: {File.Exists(node)}). " +
                "It ships in the Microsoft.Playwright NuGet package and is copied to the test output on build.", e);
        }
    }
}
