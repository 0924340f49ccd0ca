using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests;

/// <summary>A remote that stops answering: its breaker opens after real failures and the Status page shows it live.</summary>
[Collection(SystemCollection.Name)]
public sealed class BreakerStatusTests(SystemFixture fixture) : BrowserTests
{
    // Stamps (page clock) the moment the remote's card first shows the open state.
    private const string Observer = """
        (testId) => {
          window.__openAt = null;
          const check = () => {
            const card = document.querySelector(`[data-testid="${testId}"]`);
            if (card && card.getAttribute('data-state') === 'open' && window.__openAt === null) window.__openAt = Date.now();
          };
          new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
          check();
        }
        """;

    [Fact]
    public async Task StatusPage_RemoteStopsAnswering_CardShowsCircuitOpenWithinOneSecond()
    {
        // A named webdav remote on a loopback port nobody listens on: every job against it fails endpoint_unreachable.
        var name = "dead" + Guid.NewGuid().ToString("N")[..6];
        await File.AppendAllTextAsync(Path.Combine(fixture.System.DataDirectory, "rclone.conf"),
            $"\n[{name}]\ntype = webdav\nurl = http://127.0.0.1:{FreePort.Next()}/\n");

        var page = await Chromium.NewPageAsync();
        await page.GotoAsync(fixture.System.WebUrl.ToString());
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        var card = page.GetByTestId($"remote-{name}");
        await Assertions.Expect(card).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 15_000 });
        await page.EvaluateAsync(Observer, $"remote-{name}");

        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        for (var i = 0; i < 6; i++)
        {
            using var created = await http.PostAsJsonAsync("api/jobs",
                new { type = "copy", source = $"{name}:dir{i}", destination = Path.Combine(fixture.Files, $"breaker-out{i}") });
            created.EnsureSuccessStatusCode();
        }

        DateTimeOffset? openedAt = null;
        await Wait.UntilAsync(async () =>
        {
            var remotes = await http.GetFromJsonAsync<JsonElement>("api/remotes");
            var remote = remotes.GetProperty("remotes").EnumerateArray().First(r => r.GetProperty("name").GetString() == name);
            if (remote.TryGetProperty("breaker", out var breaker) && breaker.GetProperty("state").GetString() == "open")
            {
                openedAt = breaker.GetProperty("openedAt").GetDateTimeOffset();
                return true;
            }

            return false;
        }, TimeSpan.FromSeconds(60), $"the breaker of {name} to open");

        await Assertions.Expect(card).ToHaveAttributeAsync("data-state", "open", new LocatorAssertionsToHaveAttributeOptions { Timeout = 5_000 });
        var shownAt = await page.EvaluateAsync<long>("() => window.__openAt");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SystemFixture.Artifacts, "status-breaker-open.png"), FullPage = true });

        var delay = shownAt - openedAt!.Value.ToUnixTimeMilliseconds();
        Assert.True(delay <= 1000, $"the card showed the open breaker {delay} ms after it opened (at most 1000)");
    }
}
