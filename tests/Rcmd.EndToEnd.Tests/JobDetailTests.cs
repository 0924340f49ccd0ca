using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Rcmd.EndToEnd.Tests;

/// <summary>The job detail page against the running system: cancel a running copy, read a failed job's code and suggestion.</summary>
[Collection(SystemCollection.Name)]
public sealed class JobDetailTests(SystemFixture fixture) : BrowserTests
{
    private const int FileCount = 1000;
    private const int FileSize = 400 * 1024; // 1000 × 400 KiB: rclone pays per file too, so the copy lasts seconds even on a fast disk

    [Fact]
    public async Task JobDetail_CancelRunningCopy_ShowsCanceledWithoutReloadAndLeavesDestinationIncomplete()
    {
        var source = Path.Combine(fixture.Files, "cancel-in");
        var destination = Path.Combine(fixture.Files, "cancel-out");
        Directory.CreateDirectory(source);
        var buffer = new byte[FileSize];
        Random.Shared.NextBytes(buffer);
        for (var i = 0; i < FileCount; i++)
        {
            BitConverter.TryWriteBytes(buffer, i); // real, distinct files: rclone copies every byte of each
            await File.WriteAllBytesAsync(Path.Combine(source, $"f{i:D4}.bin"), buffer);
        }

        var page = await NewPageAsync(out var consoleErrors);
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        var id = await SubmitAsync(http, new { type = "copy", source, destination });

        await page.GotoAsync(new Uri(fixture.System.WebUrl, $"jobs/{id}").ToString());
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        var state = page.GetByTestId("job-state");
        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "running", new LocatorAssertionsToHaveAttributeOptions { Timeout = 15_000 });
        var cancel = page.GetByTestId("cancel-job");
        await Assertions.Expect(cancel).ToBeEnabledAsync();
        Assert.Equal("running", await StateAsync(http, id));

        var navigations = CountNavigations(page);
        await cancel.ClickAsync();
        await page.GetByTestId("confirm-cancel").ClickAsync();

        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "canceled", new LocatorAssertionsToHaveAttributeOptions { Timeout = 15_000 });
        await Assertions.Expect(state).ToHaveTextAsync(new Regex("(?i)canceled"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SystemFixture.Artifacts, "job-canceled.png"), FullPage = true });

        Assert.Equal(0, navigations.Value);
        Assert.Equal("canceled", await StateAsync(http, id));
        var copied = Directory.Exists(destination)
            ? Directory.GetFiles(destination).Where(f => new FileInfo(f).Length == FileSize).Count()
            : 0;
        Assert.True(copied < FileCount, $"all {FileCount} files were copied although the job was canceled");
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task JobDetail_FailedCopyFromMissingPath_ShowsErrorCodeAndSuggestion()
    {
        var missing = Path.Combine(fixture.Files, "does-not-exist", Guid.NewGuid().ToString("N"));
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        var id = await SubmitAsync(http, new { type = "copy", source = missing, destination = Path.Combine(fixture.Files, "missing-out") });

        var page = await NewPageAsync(out var consoleErrors);
        await page.GotoAsync(new Uri(fixture.System.WebUrl, $"jobs/{id}").ToString());
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await Assertions.Expect(page.GetByTestId("job-state")).ToHaveAttributeAsync("data-state", "failed", new LocatorAssertionsToHaveAttributeOptions { Timeout = 20_000 });

        var job = await http.GetFromJsonAsync<JsonElement>($"api/jobs/{id}");
        var code = job.GetProperty("error").GetProperty("code").GetString();
        Assert.False(string.IsNullOrEmpty(code));
        await Assertions.Expect(page.GetByTestId("error-code")).ToHaveTextAsync(code!);
        await Assertions.Expect(page.GetByTestId("error-suggestion")).ToHaveTextAsync(new Regex(@"\w{3,}"));
        await Assertions.Expect(page.GetByTestId("error-message")).Not.ToBeEmptyAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SystemFixture.Artifacts, "job-failed.png"), FullPage = true });
        Assert.Empty(consoleErrors);
    }

    private Task<IPage> NewPageAsync(out List<string> consoleErrors)
    {
        var errors = new List<string>();
        consoleErrors = errors;
        return Open();

        async Task<IPage> Open()
        {
            var page = await NewPageAsync(1280, 900);
            CollectConsoleErrors(page, errors);
            return page;
        }
    }

    private static async Task<string> SubmitAsync(HttpClient http, object request)
    {
        using var response = await http.PostAsJsonAsync("api/jobs", request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<string?> StateAsync(HttpClient http, string id) =>
        (await http.GetFromJsonAsync<JsonElement>($"api/jobs/{id}")).GetProperty("state").GetString();
}
