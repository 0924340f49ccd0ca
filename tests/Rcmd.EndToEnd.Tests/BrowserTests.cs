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
}
