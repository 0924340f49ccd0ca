using Microsoft.Playwright;

namespace Rcmd.Testing;

/// <summary>Debian's Chromium driven by Playwright, with the flags this machine's closed network needs.</summary>
public static class Browser
{
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var userData = Path.Combine(Path.GetTempPath(), "rcmd-chromium-" + Guid.NewGuid().ToString("N")[..8]);
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", $"--user-data-dir={userData}",
            ],
        });
        return (playwright, browser);
    }
}
