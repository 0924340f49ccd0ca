using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Rcmd.EndToEnd.Tests;

/// <summary>The Api killed under an open Status page: the AppHost starts it again and the page is live again, with no reload.</summary>
[Collection(SystemCollection.Name)]
public sealed class ApiRestartTests(SystemFixture fixture) : BrowserTests
{
    [Fact]
    public async Task StatusPage_ApiKilledAndRestarted_LiveAgainWithoutReload()
    {
        var page = await NewPageAsync(1366, 768);
        var errors = CollectConsoleErrors(page);
        await page.GotoAsync(fixture.System.WebUrl.ToString());
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        var live = page.GetByTestId("live-indicator");
        await Assertions.Expect(live).ToHaveAttributeAsync("data-connected", "true", new LocatorAssertionsToHaveAttributeOptions { Timeout = 15_000 });
        var navigations = CountNavigations(page);

        var api = CurrentPid("api") ?? fixture.System.ProcessIds["api"];
        using (var kill = Process.Start("kill", ["-KILL", api.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await Assertions.Expect(live).ToHaveAttributeAsync("data-connected", "false", new LocatorAssertionsToHaveAttributeOptions { Timeout = 30_000 });
        await Assertions.Expect(live).ToHaveAttributeAsync("data-connected", "true", new LocatorAssertionsToHaveAttributeOptions { Timeout = 60_000 });

        // Live again: a job submitted now appears on the same page.
        var source = Path.Combine(fixture.Files, "api-restart-in");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "back");
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        using var response = await http.PostAsJsonAsync("api/jobs", new { type = "copy", source, destination = Path.Combine(fixture.Files, "api-restart-out") });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await Assertions.Expect(page.GetByTestId($"job-row-{id}")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 15_000 });

        Assert.Equal(0, navigations.Value);
        Assert.True(errors.Count == 0, $"console errors: {string.Join(" | ", errors)}");
        Assert.NotEqual(api, CurrentPid("api"));
    }

    /// <summary>The process now running as <paramref name="name"/>, from the AppHost's <c>rcmd.pids</c>.</summary>
    private int? CurrentPid(string name)
    {
        try
        {
            foreach (var line in File.ReadAllLines(Path.Combine(fixture.System.DataDirectory, "rcmd.pids")))
            {
                var parts = line.Split(' ', 3);
                if (parts.Length == 3 && parts[2] == name)
                {
                    return int.Parse(parts[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // Rewritten at this moment.
        }

        return null;
    }
}
