using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// The Jobs grid with many finished jobs stored (default 100,000, <c>--stored N</c>): Api time of GET /api/jobs for the
/// first page, a middle page, a state filter, a type filter and the state/type sorts (median of 5 after a warm-up, measured
/// on loopback: the Api's server time plus a loopback round trip), then
/// in Chromium the first render of /jobs (navigation until the first job row) and a page change (click next page
/// until the first row is another job). Target ≤ 300 ms each.
/// </summary>
public static class GridBench
{
    private const int Runs = 5;
    private const double TargetMs = 300;

    public static async Task RunAsync(BenchOptions options)
    {
        await using var bench = await BenchSystem.StartAsync();
        var seeded = Stopwatch.StartNew();
        await JobSeeder.SeedAsync(bench.System.RedisConnectionString, options.StoredJobs);
        Console.WriteLine($"seeded {options.StoredJobs} finished jobs in {seeded.Elapsed.TotalSeconds:0.0} s");

        using var http = new HttpClient { BaseAddress = bench.System.ApiUrl };
        var rows = new List<(string What, double Ms, string Note)>();
        var middle = Math.Max(1, options.StoredJobs / 50 / 2);
        foreach (var (what, query) in new[]
        {
            ("api first page", "page=1&pageSize=50"),
            ($"api page {middle}", $"page={middle}&pageSize=50"),
            ("api state=failed", "state=failed&page=1&pageSize=50"),
            ("api type=copyfile", "type=copyfile&page=1&pageSize=50"),
            ("api sort=state", "sort=state&page=1&pageSize=50"),
            ($"api sort=-type page {middle}", $"sort=-type&page={middle}&pageSize=50"),
            ("api remote=b2src sort=state", "remote=b2src&sort=state&page=1&pageSize=50"),
        })
        {
            var (ms, total) = await MedianAsync(http, "api/jobs?" + query);
            if (total == 0)
            {
                throw new InvalidOperationException($"GET /api/jobs?{query} found no jobs: the seeded indexes are missing");
            }

            rows.Add((what, ms, $"total {total}"));
        }

        var (playwright, browser) = await Browser.LaunchAsync();
        await using (browser)
        using (playwright)
        {
            var tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            // Warm-up: the first request of a fresh Web process pays for JIT and the circuit's first render.
            await tab.GotoAsync(new Uri(bench.System.WebUrl, "failures").ToString());
            await tab.WaitForFunctionAsync("() => window.Blazor !== undefined");
            // The warm-up's circuit runs the page (its JIT is paid) before the measured opens.
            await tab.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000, State = WaitForSelectorState.Attached });

            var firstRow = tab.Locator("[data-testid=jobs-grid] tr.job-row").First;
            var shell = tab.Locator("[data-testid=jobs-grid]");
            var renders = new List<double>();
            var shells = new List<double>();
            var interactive = new List<double>();
            var live = tab.Locator("[data-interactive=true]");
            var watch = new Stopwatch();
            for (var i = 0; i <= Runs; i++)
            {
                await tab.GotoAsync("about:blank");
                watch.Restart();
                await tab.GotoAsync(new Uri(bench.System.WebUrl, "jobs").ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
                // Where the time goes: the circuit's first render (the grid's frame, no rows yet), then the rows.
                await shell.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000, State = WaitForSelectorState.Attached });
                shells.Add(watch.Elapsed.TotalMilliseconds);
                await firstRow.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
                renders.Add(watch.Elapsed.TotalMilliseconds);
                // A prerendered page shows its rows before the circuit runs it: when it answers clicks.
                await live.WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000, State = WaitForSelectorState.Attached });
                interactive.Add(watch.Elapsed.TotalMilliseconds);
            }

            rows.Add(("browser /jobs cold", renders[0], "first ever open: navigation → first row (JIT, new circuit)"));
            rows.Add(("browser /jobs grid frame", Median(shells.Skip(1).ToList()), "navigation → the circuit rendered the page (no rows yet)"));
            rows.Add(("browser /jobs first row", Median(renders.Skip(1).ToList()), $"median of {Runs} later opens, each a new circuit"));
            rows.Add(("browser /jobs interactive", Median(interactive.Skip(1).ToList()), "navigation → the circuit runs the page (data-interactive)"));

            await live.WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000, State = WaitForSelectorState.Attached });
            await Task.Delay(1000); // the live grid has its first page
            var changes = new List<double>();
            for (var i = 0; i < Runs; i++)
            {
                var before = await firstRow.GetAttributeAsync("class");
                watch.Restart();
                // MudDataGridPager: first, previous, next, last.
                await tab.Locator(".mud-table-pagination-actions button").Nth(2).ClickAsync();
                await tab.WaitForFunctionAsync(
                    "before => { const r = document.querySelector('[data-testid=jobs-grid] tr.job-row'); return r && r.getAttribute('class') !== before; }",
                    before, new PageWaitForFunctionOptions { Timeout = 30_000 });
                changes.Add(watch.Elapsed.TotalMilliseconds);
            }

            rows.Add(("browser page change", Median(changes), $"median of {Runs} clicks on next page"));
        }

        Console.WriteLine($"{"what",-28}{"ms",10}  {"target",8}  note   ({options.StoredJobs} jobs stored)");
        foreach (var (what, ms, note) in rows)
        {
            Console.WriteLine($"{what,-28}{ms,10:0.0}  {(ms <= TargetMs ? "ok" : "OVER"),8}  {note}");
        }
    }

    private static async Task<(double Ms, long Total)> MedianAsync(HttpClient http, string url)
    {
        var total = (await http.GetFromJsonAsync<JsonElement>(url)).GetProperty("total").GetInt64();
        var times = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(url);
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadAsByteArrayAsync();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return (Median(times), total);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
