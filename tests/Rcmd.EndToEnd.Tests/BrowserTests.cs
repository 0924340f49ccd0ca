using Microsoft.Playwright;
using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests;

/// <summary>A test class that drives Chromium: one browser per class, launched before its tests and closed after.</summary>
public abstract class BrowserTests : IAsyncLifetime
{
    private IPlaywright _playwright = null!;

    protected IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync() => (_playwright, Chromium) = await Browser.LaunchAsync();

    public async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
    }

    /// <summary>A new page of <paramref name="width"/> × <paramref name="height"/> CSS pixels.</summary>
    protected Task<IPage> NewPageAsync(int width, int height) =>
        Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });

    /// <summary>The page's console errors from now on, added to <paramref name="into"/> (a new list when null).</summary>
    protected static List<string> CollectConsoleErrors(IPage page, List<string>? into = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        var errors = into ?? [];
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        return errors;
    }

    /// <summary>Counts the page's main-frame navigations (a reload, a full page load) from now on.</summary>
    protected static NavigationCount CountNavigations(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var count = new NavigationCount();
        page.FrameNavigated += (_, frame) =>
        {
            if (frame == page.MainFrame)
            {
                count.Value++;
            }
        };
        return count;
    }

    /// <summary>How many times the main frame navigated.</summary>
    protected sealed class NavigationCount
    {
        public int Value { get; set; }
    }
}
