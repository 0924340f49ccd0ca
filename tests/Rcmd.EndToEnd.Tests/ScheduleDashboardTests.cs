using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Rcmd.EndToEnd.Tests;

/// <summary>The Schedules page against the running system (issue 15's browser test).</summary>
[Collection(SystemCollection.Name)]
public sealed class ScheduleDashboardTests(SystemFixture fixture) : BrowserTests
{
    [Fact]
    public async Task SchedulesPage_CreateSeeNextTimesRunNow_TheRunAppearsAndSucceedsLiveWithoutReload()
    {
        var source = Path.Combine(fixture.Files, "schedule-in");
        var destination = Path.Combine(fixture.Files, "schedule-out");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "scheduled");
        // 80 MB at the fixture's 40 MB/s: the copy runs ~2 s, so its states can be seen changing on the page.
        await File.WriteAllBytesAsync(Path.Combine(source, "big.bin"), new byte[80_000_000]);
        var name = "e2e nightly " + Guid.NewGuid().ToString("N")[..6];

        var page = await NewPageAsync(1366, 900);
        var consoleErrors = CollectConsoleErrors(page);
        var navigations = CountNavigations(page);

        await page.GotoAsync(new Uri(fixture.System.WebUrl, "schedules").ToString());
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.GetByTestId("new-schedule").ClickAsync();
        await page.Locator("#schedule-name").FillAsync(name);
        await page.Locator("#schedule-zone").FillAsync("Europe/Paris");
        await page.Locator("#schedule-source").FillAsync(source);
        await page.Locator("#schedule-destination").FillAsync(destination);

        // The Api validates the cron expression; its message shows under the field and the dialog stays open.
        await page.Locator("#schedule-cron").FillAsync("61 * * * *");
        await page.GetByTestId("schedule-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-cron")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 15_000 });

        await page.Locator("#schedule-cron").FillAsync("0 3 * * *");
        await page.GetByTestId("schedule-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("schedule-dialog")).ToHaveCountAsync(0, new LocatorAssertionsToHaveCountOptions { Timeout = 15_000 });

        var card = page.Locator(".schedule", new PageLocatorOptions { HasText = name });
        await Assertions.Expect(card).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = 15_000 });
        var times = card.GetByTestId("schedule-next-time");
        await Assertions.Expect(times).ToHaveCountAsync(5);
        // 03:00 in Paris is 01:00 or 02:00 UTC (summer or winter time), every day from now on.
        var first = DateTimeOffset.Parse((await times.First.GetAttributeAsync("data-utc"))!, CultureInfo.InvariantCulture);
        Assert.True(first > DateTimeOffset.UtcNow && first < DateTimeOffset.UtcNow.AddDays(1).AddHours(1), $"first fire time {first:O}");
        Assert.Contains(first.UtcDateTime.Hour, new[] { 1, 2 });
        await Assertions.Expect(times.First).ToContainTextAsync(new Regex(@"03:00:00 \+0[12]:00"));
        await Assertions.Expect(card.GetByTestId("schedule-last-run-none")).ToBeVisibleAsync();

        await card.GetByTestId("schedule-toggle-runs").ClickAsync();
        await Assertions.Expect(card.GetByTestId("schedule-runs-empty")).ToBeVisibleAsync();
        var navigationsBeforeRun = navigations.Value;

        await card.GetByTestId("schedule-run-now").ClickAsync();

        // The run shows at once and then follows its job over the live stream to succeeded (the page never polls).
        var lastRun = card.GetByTestId("schedule-last-run");
        await Assertions.Expect(lastRun).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = 15_000 });
        await Assertions.Expect(lastRun).ToHaveAttributeAsync("data-outcome", new Regex("^(queued|running)$"));
        await Assertions.Expect(lastRun).ToHaveAttributeAsync("data-outcome", "succeeded", new LocatorAssertionsToHaveAttributeOptions { Timeout = 30_000 });
        var jobId = await lastRun.GetAttributeAsync("data-job");
        Assert.False(string.IsNullOrEmpty(jobId));
        var run = card.Locator($"[data-testid=schedule-run][data-job='{jobId}']");
        await Assertions.Expect(run).ToHaveCountAsync(1);
        await Assertions.Expect(run.GetByTestId("schedule-run-outcome")).ToHaveAttributeAsync("data-outcome", "succeeded");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SystemFixture.Artifacts, "schedules-run-now.png"), FullPage = true });

        Assert.Equal(navigationsBeforeRun, navigations.Value);
        Assert.True(File.Exists(Path.Combine(destination, "a.txt")));
        Assert.Equal(80_000_000, new FileInfo(Path.Combine(destination, "big.bin")).Length);
        Assert.Empty(consoleErrors);
    }
}
