using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// The file browser on a folder of 5,000 files (<c>--files N</c> through <c>--stored</c> is not used; fixed 5,000):
/// Api time of one 100-entry page of <c>GET /api/remotes/:local/list</c> (first page, a middle page, sorted by size,
/// filtered) — median of 5 after a warm-up — then in Chromium the first page of /browse on that folder (navigation until
/// the 100th row is in the DOM), cold and the median of 5 later opens. Target ≤ 1,000 ms.
/// </summary>
public static class BrowseBench
{
    private const int Files = 5000;
    private const int Runs = 5;
    private const double TargetMs = 1000;

    public static async Task RunAsync(BenchOptions options)
    {
        await using var bench = await BenchSystem.StartAsync();
        var folder = bench.MakeFiles("browse", Files, 64);
        using var http = new HttpClient { BaseAddress = bench.System.ApiUrl };
        var rows = new List<(string What, double Ms, string Note)>();
        var path = Uri.EscapeDataString(folder);
        foreach (var (what, query) in new[]
        {
            ("api first page", "offset=0&limit=100&sort=name"),
            ("api page 25", "offset=2400&limit=100&sort=name"),
            ("api sort=-size", "offset=0&limit=100&sort=-size"),
            ("api filter=49", "offset=0&limit=100&sort=name&filter=49"),
        })
        {
            var url = $"api/remotes/%3Alocal/list?path={path}&{query}";
            var total = (await http.GetFromJsonAsync<JsonElement>(url)).GetProperty("result").GetProperty("total").GetInt32();
            var times = new List<double>();
            for (var i = 0; i < Runs; i++)
            {
                var watch = Stopwatch.StartNew();
                using var response = await http.GetAsync(url);
                response.EnsureSuccessStatusCode();
                _ = await response.Content.ReadAsByteArrayAsync();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            rows.Add((what, Median(times), $"total {total}"));
        }

        // Raw rclone in the same run: rcd listing the whole folder (what the Api's first page of a folder costs at least).
        rows.Add(("raw rcd operations/list", await RawListAsync(folder), $"{Files} entries, the whole folder, median of {Runs}"));

        var (playwright, browser) = await Browser.LaunchAsync();
        await using (browser)
        using (playwright)
        {
            var tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
            await tab.GotoAsync(new Uri(bench.System.WebUrl, "failures").ToString());
            await tab.WaitForFunctionAsync("() => window.Blazor !== undefined");
            // The warm-up's circuit runs the page (its JIT is paid) before the measured opens.
            await tab.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000, State = WaitForSelectorState.Attached });
            var hundredth = tab.Locator("[data-testid=src-files] tr.entry-row").Nth(99);
            var opens = new List<double>();
            var interactive = new List<double>();
            var live = tab.Locator("[data-interactive=true]");
            var clock = new Stopwatch();
            for (var i = 0; i <= Runs; i++)
            {
                await tab.GotoAsync("about:blank");
                clock.Restart();
                await tab.GotoAsync(new Uri(bench.System.WebUrl, $"browse?path={path}").ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
                await hundredth.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
                opens.Add(clock.Elapsed.TotalMilliseconds);
                // A prerendered page shows its rows before the circuit runs it: when it answers clicks.
                await live.WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000, State = WaitForSelectorState.Attached });
                interactive.Add(clock.Elapsed.TotalMilliseconds);
            }

            rows.Add(("browser /browse cold", opens[0], "first open: navigation → 100th row (JIT, new circuit)"));
            rows.Add(("browser /browse first page", Median(opens.Skip(1).ToList()), $"median of {Runs} later opens, each a new circuit"));
            rows.Add(("browser /browse interactive", Median(interactive.Skip(1).ToList()), "navigation → the circuit runs the page (data-interactive)"));
        }

        Console.WriteLine($"{"what",-28}{"ms",10}  {"target",8}  note   ({Files} files in one folder)");
        foreach (var (what, ms, note) in rows)
        {
            Console.WriteLine($"{what,-28}{ms,10:0.0}  {(ms <= TargetMs ? "ok" : "OVER"),8}  {note}");
        }
    }

    private static async Task<double> RawListAsync(string folder)
    {
        using var rcd = new RcloneServer();
        await rcd.StartAsync();
        using var http = rcd.CreateHttpClient();
        var body = new System.Text.Json.Nodes.JsonObject { ["fs"] = ":local:/", ["remote"] = folder.TrimStart('/') }.ToJsonString();
        var times = new List<double>();
        for (var i = 0; i <= Runs; i++)
        {
            using var content = new StringContent(body, System.Text.Encoding.UTF8);
            // rcd reads a JSON body only when the content type is exactly application/json (no charset).
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            var watch = Stopwatch.StartNew();
            using var response = await http.PostAsync(new Uri(rcd.Url, "operations/list"), content);
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadAsByteArrayAsync();
            if (i > 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return Median(times);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
