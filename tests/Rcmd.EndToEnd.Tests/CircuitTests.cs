using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests;

/// <summary>
/// The browser's connection to the dashboard server (the Blazor circuit) drops and comes back: the page says so at once,
/// greys out while it cannot be trusted, says when it is live again, and then follows live updates as before — with
/// no console error from the page itself. The drop is real: Chromium talks to the Web through a loopback TCP proxy that
/// the test cuts (every connection closed, new ones refused) and restores. While it is down, Blazor's SignalR client logs
/// its failed reconnection attempts as console errors (the outage, not a fault of the page); none before or after.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class CircuitTests(SystemFixture fixture) : BrowserTests
{
    [Fact]
    public async Task Circuit_DropsAndComesBack_BannerShowsThenPageIsLiveAgain()
    {
        using var proxy = new TcpFaultProxy(fixture.WebPort);
        var page = await Chromium.NewPageAsync();
        var errors = CollectConsoleErrors(page);
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(proxy.Url.ToString());
        await page.WaitForSelectorAsync("[data-testid=counts]");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        var banner = page.Locator("#components-reconnect-modal");
        await Assertions.Expect(banner).ToBeHiddenAsync();
        Assert.Empty(errors);

        proxy.Mode = TcpFault.Refuse;

        await Assertions.Expect(page.Locator("#components-reconnect-modal .circuit-reconnecting")).ToBeVisibleAsync(
            new LocatorAssertionsToBeVisibleOptions { Timeout = 10_000 });
        await Assertions.Expect(banner).ToContainTextAsync("Connection to the Rcmd dashboard server lost");
        Assert.Equal("0.6", await page.Locator(".rcmd-layout").EvaluateAsync<string>("e => getComputedStyle(e).opacity"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SystemFixture.Artifacts, "circuit-lost.png") });
        var errorsWhileDown = errors.Count;

        proxy.Mode = TcpFault.Pass;

        await Assertions.Expect(page.Locator("#components-reconnect-modal .circuit-reconnected")).ToBeVisibleAsync(
            new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SystemFixture.Artifacts, "circuit-back.png") });
        Assert.Equal("1", await page.Locator(".rcmd-layout").EvaluateAsync<string>("e => getComputedStyle(e).opacity"));
        var outage = errors.ToList();

        // Live again: a job submitted now shows up on the same page, without a reload.
        var source = Path.Combine(fixture.Files, "circuit-in");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "back");
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        using var response = await http.PostAsJsonAsync("api/jobs", new { type = "copy", source, destination = Path.Combine(fixture.Files, "circuit-out") });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await Assertions.Expect(page.GetByTestId($"job-row-{id}")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 15_000 });

        // While the server was away, Blazor's SignalR client logs each failed reconnection attempt as an error; those are
        // the outage itself. Nothing else, and nothing at all once the page is back.
        var unexpected = outage.Where(e => !IsConnectionLoss(e)).ToList();
        Assert.True(unexpected.Count == 0, $"console errors during the outage: {string.Join(" | ", unexpected)}");
        Assert.True(errors.Count == outage.Count, $"console errors after reconnecting: {string.Join(" | ", errors.Skip(outage.Count))}");
        Assert.True(errorsWhileDown <= outage.Count);
    }

    private static bool IsConnectionLoss(string message) =>
        message.Contains("ERR_CONNECTION_REFUSED", StringComparison.Ordinal)
        // a request in flight when the proxy cut every connection
        || message.Contains("ERR_CONNECTION_RESET", StringComparison.Ordinal)
        || message.Contains("WebSocket connection to", StringComparison.Ordinal)
        || message.Contains("Connection disconnected", StringComparison.Ordinal)
        || message.Contains("Failed to complete negotiation with the server", StringComparison.Ordinal)
        || message.Contains("Failed to start the connection", StringComparison.Ordinal)
        // a reconnect attempt whose negotiation got through just as the link came back, its WebSocket not (yet) accepted
        || message.Contains("Failed to start the transport 'WebSockets'", StringComparison.Ordinal);
}
