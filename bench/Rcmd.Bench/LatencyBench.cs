using System.Net.Http.Json;
using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// Latency from a job state change in a Worker to the change in the browser's DOM. The dashboard's Status page is
/// open in Chromium; a MutationObserver stamps (Date.now()) the first time each job row shows each state. The Worker's
/// own time of the change is on the job record: the attempt's start (running) and finishedAt (succeeded). Same
/// machine, same clock. Jobs are submitted 50 ms apart so this measures the live path, not queueing.
/// </summary>
public static class LatencyBench
{
    private const string Observer = """
        () => {
          window.__seen = {};
          const stamp = () => {
            const now = Date.now();
            for (const row of document.querySelectorAll('[data-testid^="job-row-"][data-state]')) {
              const id = row.getAttribute('data-testid').substring(8);
              const state = row.getAttribute('data-state');
              const seen = window.__seen[id] ??= {};
              seen[state] ??= now;
            }
          };
          new MutationObserver(stamp).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
          stamp();
        }
        """;

    public static async Task RunAsync(BenchOptions options)
    {
        await using var bench = await BenchSystem.StartAsync();
        var jobs = options.Changes;
        var source = bench.MakeFiles("in", jobs, 1024);
        var (playwright, browser) = await Browser.LaunchAsync();
        await using (browser)
        using (playwright)
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync(bench.System.WebUrl.ToString());
            await page.WaitForSelectorAsync("[data-testid=counts]");
            await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
            await Task.Delay(1000);
            await page.EvaluateAsync(Observer);

            using var http = new HttpClient { BaseAddress = bench.System.ApiUrl };
            var ids = new List<string>();
            foreach (var file in Directory.GetFiles(source))
            {
                using var response = await http.PostAsJsonAsync("api/jobs",
                    new { type = "copyfile", source = file, destination = Path.Combine(bench.Combine("out"), Path.GetFileName(file)) });
                response.EnsureSuccessStatusCode();
                ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
                await Task.Delay(50);
            }

            await Wait.UntilAsync(async () =>
            {
                var counts = await http.GetFromJsonAsync<JsonElement>("api/jobs/counts");
                return counts.GetProperty("byState").GetProperty("succeeded").GetInt64() >= jobs;
            }, TimeSpan.FromMinutes(2), "every job to succeed");
            await Task.Delay(1500);

            var seen = await page.EvaluateAsync<Dictionary<string, Dictionary<string, long>>>("() => window.__seen");
            var latencies = new List<double>();
            foreach (var id in ids)
            {
                var job = await http.GetFromJsonAsync<JsonElement>($"api/jobs/{id}");
                if (!seen.TryGetValue(id, out var states))
                {
                    continue;
                }

                if (states.TryGetValue("running", out var runningSeen))
                {
                    var started = job.GetProperty("attempts")[0].GetProperty("startedAt").GetDateTimeOffset();
                    latencies.Add(runningSeen - started.ToUnixTimeMilliseconds());
                }

                if (states.TryGetValue("succeeded", out var succeededSeen))
                {
                    var finished = job.GetProperty("finishedAt").GetDateTimeOffset();
                    latencies.Add(succeededSeen - finished.ToUnixTimeMilliseconds());
                }
            }

            latencies.Sort();
            if (latencies.Count == 0)
            {
                Console.WriteLine("no state change reached the page");
                return;
            }

            Console.WriteLine($"state changes seen in the DOM: {latencies.Count} of {jobs * 2} (a running state shorter than a render batch shows as succeeded only)");
            Console.WriteLine($"Worker → browser DOM latency: p50 {Percentile(latencies, 0.50):0} ms, p95 {Percentile(latencies, 0.95):0} ms, max {latencies[^1]:0} ms (target p95 ≤ 250 ms)");
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
