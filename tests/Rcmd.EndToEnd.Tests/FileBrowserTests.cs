using System.Diagnostics;
using Microsoft.Playwright;

namespace Rcmd.EndToEnd.Tests;

/// <summary>The file browser against the running system: a folder of 5,000 files a page at a time, a copy of a selection.</summary>
[Collection(SystemCollection.Name)]
public sealed class FileBrowserTests(SystemFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : BrowserTests
{
    private const int FileCount = 5000;

    [Fact]
    public async Task FileBrowser_FolderOf5000Files_FirstPageFastThenCopyOfThreeTickedFilesSucceeds()
    {
        var source = Path.Combine(fixture.Files, "browse-5000");
        var destination = Path.Combine(fixture.Files, "browse-out");
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(destination);
        for (var i = 0; i < FileCount; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(source, $"f{i:D4}.txt"), $"file {i}");
        }

        var page = await NewPageAsync(1366, 768);
        var errors = CollectConsoleErrors(page);

        var clock = Stopwatch.StartNew();
        await page.GotoAsync(new Uri(fixture.System.WebUrl, $"browse?path={Uri.EscapeDataString(source)}&to={Uri.EscapeDataString(destination)}").ToString());
        var rows = page.Locator("[data-testid=src-files] tr.entry-row");
        await Assertions.Expect(rows).ToHaveCountAsync(100, new LocatorAssertionsToHaveCountOptions { Timeout = 20_000 });
        output.WriteLine($"first page of {FileCount} files: {clock.ElapsedMilliseconds} ms after navigation started");
        await Assertions.Expect(page.GetByTestId("src-count")).ToHaveAttributeAsync("data-total", FileCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(100, await page.Locator("[data-testid=src-files] tbody tr.entry-row").CountAsync());
        // The rows above were prerendered: ticks count once the circuit runs the page and its live grid has taken over.
        await Assertions.Expect(page.Locator("[data-interactive=true]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-prerendered]")).ToHaveCountAsync(0);

        // Tick three files on the first page, copy them to the destination pane's folder.
        for (var i = 0; i < 3; i++)
        {
            await rows.Nth(i).Locator("input[type=checkbox]").CheckAsync(new LocatorCheckOptions { Force = true });
        }

        await Assertions.Expect(page.GetByTestId("browse-plan")).ToContainTextAsync("3 file(s)");
        await page.GetByTestId("browse-start").ClickAsync();
        await page.GetByTestId("confirm-action").ClickAsync();
        var started = page.GetByTestId("browse-started-link");
        await Assertions.Expect(started).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = 15_000 });

        await started.ClickAsync();
        await Assertions.Expect(page.GetByTestId("job-state")).ToHaveAttributeAsync("data-state", "succeeded",
            new LocatorAssertionsToHaveAttributeOptions { Timeout = 30_000 });
        Assert.Equal(["f0000.txt", "f0001.txt", "f0002.txt"], Directory.GetFiles(destination).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SystemFixture.Artifacts, "browse-copy-done.png"), FullPage = true });
        Assert.Empty(errors);
    }
}
