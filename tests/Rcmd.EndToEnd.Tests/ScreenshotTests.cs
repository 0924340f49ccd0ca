using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests;

/// <summary>
/// Every page on a laptop (1366×768) and on a phone (390×844): a screenshot kept as an artifact, no console errors, and
/// no sideways scrolling (tables become cards at phone width).
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class ScreenshotTests(SystemFixture fixture) : BrowserTests
{
    [Theory]
    [InlineData("laptop", 1366, 768)]
    [InlineData("phone", 390, 844)]
    public async Task EveryPage_AtViewport_RendersWithoutConsoleErrors(string name, int width, int height)
    {
        var id = await FinishedJobAsync($"shot-{name}");
        var batchId = await BatchAsync($"shot-batch-{name}");
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        var errors = CollectConsoleErrors(page);
        page.PageError += (_, error) => errors.Add(error);

        async Task ShotAsync(string path, string readySelector, string file, Func<Task>? act = null)
        {
            errors.Clear();
            await page.GotoAsync(new Uri(fixture.System.WebUrl, path).ToString());
            await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
            await page.WaitForSelectorAsync(readySelector);
            if (act is not null)
            {
                await act();
            }

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SystemFixture.Artifacts, $"{file}-{name}.png"), FullPage = true });
            Assert.True(errors.Count == 0, $"console errors on {path} at {width}x{height}: {string.Join(" | ", errors)}");

            // Readable at this width: nothing makes the page scroll sideways.
            var overflow = await page.EvaluateAsync<int>(
                "() => Math.max(...[document.documentElement, ...document.querySelectorAll('.mud-main-content')].map(e => e.scrollWidth - e.clientWidth))");
            Assert.True(overflow <= 0, $"{path} at {width}x{height} is {overflow} px wider than the window");
        }

        await ShotAsync(string.Empty, "[data-testid=counts]", "page-status");
        await ShotAsync("jobs", $"tr.job-row-{id}", "page-jobs");
        await ShotAsync($"jobs/{id}", "[data-testid=job-state][data-state=succeeded]", "page-job-detail");
        await ShotAsync("jobs/new", "[data-testid=submit-job]", "page-new-job-invalid", async () =>
        {
            await page.GetByTestId("submit-job").ClickAsync();
            await Assertions.Expect(page.GetByTestId("error-source")).ToBeVisibleAsync();
        });
        await ShotAsync("batches/new", "[data-testid=batch-items]", "page-new-batch");
        await ShotAsync($"jobs/{batchId}", "[data-testid=batch-report] [data-testid^=report-item-]", "page-batch-report");
        await ShotAsync("failures", "[data-testid=failure-kpis]", "page-failures");
        await ShotAsync($"browse?path={Uri.EscapeDataString(fixture.Files)}", "[data-testid=src-files] tr.entry-row", "page-files");
        await ScheduleAsync($"shot-schedule-{name}");
        await ShotAsync("schedules", "[data-testid=schedule-next-time]", "page-schedules");
        await ShotAsync("retention", "[data-testid=retention-settings]", "page-retention");
        await context.DisposeAsync();
    }

    /// <summary>A nightly copy schedule (the Schedules page).</summary>
    private async Task ScheduleAsync(string folder)
    {
        var source = Path.Combine(fixture.Files, folder + "-in");
        Directory.CreateDirectory(source);
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        using var response = await http.PostAsJsonAsync("api/schedules", new
        {
            name = folder,
            cron = "0 3 * * *",
            timeZone = "Europe/Paris",
            job = new { type = "copy", source, destination = Path.Combine(fixture.Files, folder + "-out") },
        });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A batch of two file copies (its report page).</summary>
    private async Task<string> BatchAsync(string folder)
    {
        var source = Path.Combine(fixture.Files, folder + "-in");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "a");
        await File.WriteAllTextAsync(Path.Combine(source, "b.txt"), "b");
        var destination = Path.Combine(fixture.Files, folder + "-out");
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        using var response = await http.PostAsJsonAsync("api/batches", new
        {
            items = new[]
            {
                new { op = "copyfile", source = Path.Combine(source, "a.txt"), destination = Path.Combine(destination, "a.txt") },
                new { op = "copyfile", source = Path.Combine(source, "b.txt"), destination = Path.Combine(destination, "b.txt") },
            },
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>A small copy job that has succeeded, so the Jobs grid and the detail page have something to show.</summary>
    private async Task<string> FinishedJobAsync(string folder)
    {
        var source = Path.Combine(fixture.Files, folder + "-in");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "screenshot");
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        using var response = await http.PostAsJsonAsync("api/jobs", new { type = "copy", source, destination = Path.Combine(fixture.Files, folder + "-out") });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Wait.UntilAsync(
            async () => (await http.GetFromJsonAsync<JsonElement>($"api/jobs/{id}")).GetProperty("state").GetString() == "succeeded",
            TimeSpan.FromSeconds(20), $"job {id} to succeed");
        return id;
    }
}
