using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rcmd.AppHost.Tests.Support;
using Rcmd.Testing;

namespace Rcmd.AppHost.Tests;

/// <summary>
/// The Aspire developer dashboard as a user sees it in a browser (real Chromium, Playwright), with Rcmd run as a user runs
/// it (<c>dotnet Rcmd.AppHost.dll</c>): after one job, every resource is Running, the job is one trace holding the Api's
/// <c>POST /api/jobs</c> span and the Worker's <c>job run</c> span, and the Worker's <c>jobs_*</c> metrics are listed.
/// </summary>
public sealed partial class AspireDashboardTests : IDisposable
{
    private readonly TempDirectory _directory = new("aspire-dashboard");

    [Fact]
    public async Task Dashboard_AfterAJob_ResourcesRunning_OneTraceFromApiToWorker_JobsMetrics()
    {
        var data = _directory.Combine("data");
        var rcloneConfig = _directory.Combine("rclone.conf");
        await File.WriteAllTextAsync(rcloneConfig, "");
        using var host = AppHostProcess.Start(["--data-dir", data, "--web-port", Port(FreePort.Next()), "--workers", "1", "--no-web"],
            new Dictionary<string, string?>
            {
                ["RCLONE_CONFIG"] = rcloneConfig,
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port(FreePort.Next())}",
                ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{Port(FreePort.Next())}",
            });
        await Wait.UntilAsync(() => Task.FromResult(host.StandardOutput.Contains("Ctrl+C stops everything", StringComparison.Ordinal) || host.HasExited),
            TimeSpan.FromSeconds(120), "the AppHost's URLs", () => host.Output);
        var login = LoginLink().Match(host.StandardOutput);
        Assert.True(login.Success, host.Output);
        var endpoints = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "endpoints.json"))).RootElement;

        // One job through the Api, run by the Worker.
        var source = _directory.Combine("in.txt");
        await File.WriteAllTextAsync(source, "traced");
        using var http = new HttpClient { BaseAddress = new Uri(endpoints.GetProperty("api").GetString()!), Timeout = TimeSpan.FromSeconds(30) };
        using var created = await http.PostAsJsonAsync("api/jobs", new { type = "copyfile", source, destination = _directory.Combine("out", "in.txt") });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await Wait.UntilAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"api/jobs/{id}")).GetProperty("state").GetString() == "succeeded",
            TimeSpan.FromSeconds(60), "the job to succeed", () => host.Output);

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(login.Value);
        var dashboard = new Uri(login.Value).GetLeftPart(UriPartial.Authority);

        // Resources: each one's row says Running.
        await page.GotoAsync(dashboard + "/");
        string[] resources = ["redis", "rclone", "api", "worker"];
        await UntilAsync(page, lines => resources.All(r => Follows(lines, r, "Running")), "every resource Running");

        // Traces: the job's trace starts at the Api's POST; its detail holds that span (api) and the Worker's run (worker).
        await page.GotoAsync(dashboard + "/traces");
        await page.Locator("input[name=traces-search]").FillAsync("POST /api/jobs");
        await page.GetByText("api: POST /api/jobs").First.ClickAsync();
        await UntilAsync(page, lines => Follows(lines, "POST /api/jobs/", "api") && Follows(lines, "job run", "worker"),
            "one trace with the Api's POST span and the Worker's job run span");
        Assert.Matches("/traces/detail/[0-9a-f]{32}", page.Url);

        // Metrics: the Worker's jobs_* instruments (the Rcmd meter), once its OTLP exporter has sent them.
        await page.GotoAsync(dashboard + "/metrics/resource/worker");
        await UntilAsync(page, lines => lines.Contains("jobs_started_total") && lines.Contains("jobs_completed_total") && lines.Contains("jobs_duration_ms"),
            "the jobs_* metrics of the worker", reload: true);
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>Waits (up to 60 s) until the page's text, line by line, satisfies the condition; reloads between reads when asked.</summary>
    private static async Task UntilAsync(IPage page, Func<string[], bool> condition, string what, bool reload = false)
    {
        var text = "";
        await Wait.UntilAsync(async () =>
        {
            text = await page.InnerTextAsync("body");
            if (condition(text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
            {
                return true;
            }

            if (reload)
            {
                await page.ReloadAsync();
            }

            return false;
        }, TimeSpan.FromSeconds(60), $"the Aspire dashboard to show {what}", () => text);
    }

    /// <summary>Whether a line <paramref name="first"/> is followed by a line <paramref name="then"/> (a grid row's cells).</summary>
    private static bool Follows(string[] lines, string first, string then) =>
        lines.Index().Any(l => l.Item == first && l.Index + 1 < lines.Length && lines[l.Index + 1] == then);

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/login\?t=[0-9a-f]+")]
    private static partial Regex LoginLink();
}
