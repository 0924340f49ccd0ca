using Microsoft.Playwright;

namespace Rcmd.EndToEnd.Tests;

/// <summary>A batch from the New job form to its partial-success report and "Retry failed items", in Chromium.</summary>
[Collection(SystemCollection.Name)]
public sealed class BatchDashboardTests(SystemFixture fixture) : BrowserTests
{
    [Fact]
    public async Task BatchForm_OneItemMissing_ReportShowsItsCodeAndRetryFailedQueuesANewBatch()
    {
        var source = Path.Combine(fixture.Files, "batch-ui-in");
        var destination = Path.Combine(fixture.Files, "batch-ui-out");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "batch");
        var page = await NewPageAsync(1366, 768);
        var errors = CollectConsoleErrors(page);

        // The New batch page (the New job form opened on a batch).
        await page.GotoAsync(new Uri(fixture.System.WebUrl, "batches/new").ToString());
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.GetByTestId("batch-items").FillAsync(
            $"{Path.Combine(source, "a.txt")} -> {Path.Combine(destination, "a.txt")}\n{Path.Combine(source, "missing.txt")} -> {Path.Combine(destination, "m.txt")}");
        await page.GetByTestId("submit-job").ClickAsync();

        await Assertions.Expect(page.GetByTestId("job-state")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("(?i)partially.failed"),
            new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("batch-count-succeeded").Locator(".count-value")).ToHaveTextAsync("1");
        var chip = page.Locator("[data-testid^=code-chip-]").First;
        await chip.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid^=report-item-][data-state=failed]")).ToHaveCountAsync(1);
        Assert.True(File.Exists(Path.Combine(destination, "a.txt")));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SystemFixture.Artifacts, "batch-report.png"), FullPage = true });

        await page.GetByTestId("retry-failed-items").ClickAsync();
        await page.GetByTestId("confirm-action").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rerun-link")).ToBeVisibleAsync();
        Assert.Empty(errors);
    }
}
