using Microsoft.Playwright;

namespace Rcmd.Testing;

/// <summary>
/// Debian's Chromium driven by Playwright, with the flags this machine's closed network needs. Playwright gives each
/// launch a fresh, temporary profile (it refuses an explicit --user-data-dir for non-persistent launches).
/// </summary>
public static class Browser
{
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
        return (playwright, browser);
    }
}
