using System.Net.Http.Json;
using Microsoft.Playwright;

namespace Rcmd.EndToEnd.Tests;

[Collection(SystemCollection.Name)]
public sealed class DashboardTests(SystemFixture fixture) : BrowserTests
{
    [Fact]
    public async Task NewJobForm_CopyJob_ReachesSucceededWithoutReload()
    {
        var source = Path.Combine(fixture.Files, "form-in");
        var destination = Path.Combine(fixture.Files, "form-out");
        Directory.CreateDirectory(source);
        for (var i = 0; i < 5; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(source, $"file{i}.txt"), new string('x', 10_000 + i));
        }

        var page = await NewPageAsync(1280, 900);
        var consoleErrors = CollectConsoleErrors(page);
        var navigations = CountNavigations(page);

        await page.GotoAsync(new Uri(fixture.System.WebUrl, "jobs/new").ToString());
        await page.WaitForSelectorAsync("[data-testid=submit-job]");
        // The circuit is interactive once Blazor has started.
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.GetByTestId("source").FillAsync(source);
        await page.GetByTestId("destination").FillAsync(destination);
        await page.GetByTestId("submit-job").ClickAsync();

        // The form leads to the job's page; the state must change there by itself.
        var state = page.GetByTestId("job-state");
        await Assertions.Expect(state).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("(?i)succeeded"),
            new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SystemFixture.Artifacts, "job-succeeded.png"), FullPage = true });

        Assert.Equal(5, Directory.GetFiles(destination).Length);
        var navigationsAfterSubmit = navigations.Value;
        Assert.True(navigationsAfterSubmit <= 2, $"the page reloaded {navigationsAfterSubmit} times");
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task StatusPage_JobSubmittedOverApi_AppearsLive()
    {
        var page = await Chromium.NewPageAsync();
        await page.GotoAsync(fixture.System.WebUrl.ToString());
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await Task.Delay(500);

        var source = Path.Combine(fixture.Files, "live-in");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "hello");
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        using var response = await http.PostAsJsonAsync("api/jobs", new { type = "copy", source, destination = Path.Combine(fixture.Files, "live-out") });
        response.EnsureSuccessStatusCode();
        var job = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var id = job.GetProperty("id").GetString();

        await Assertions.Expect(page.GetByTestId($"job-row-{id}")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 15_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SystemFixture.Artifacts, "status.png"), FullPage = true });
    }
}
