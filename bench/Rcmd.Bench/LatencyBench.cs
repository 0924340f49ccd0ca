using System.Net.Http.Json;
using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// Latency from a job state change in a Worker to the change in the browser's DOM. The dashboard's Status page is
/// open in Chromium; a MutationObserver stamps (Date.now()) the first time each job row shows each state. The Worker's
/// own time of the change is on the job record: the attempt's start (running) and finishedAt (succeeded). Same
/// machine, same clock. Jobs are submitted 50 ms apart so this measures the live path, not queueing.
/// With <c>--running N</c>, N slow copies (1 MiB each, rcd limited to 1 MiB/s in all) run the whole time — N jobs
/// reporting progress every 500 ms — and every progress update of the running rows on the page is measured too: each
/// row carries its job's <c>updatedAt</c> (set by the Worker when it saves the update) and the observer stamps the first
/// time each value is in the DOM.
/// </summary>
public static class LatencyBench
{
    private const string Observer = """
        () => {
          window.__seen = {};
          window.__updates = {};
          const stamp = () => {
            const now = Date.now();
            for (const row of document.querySelectorAll('[data-testid^="job-row-"][data-state]')) {
              const id = row.getAttribute('data-testid').substring(8);
              const state = row.getAttribute('data-state');
              const seen = window.__seen[id] ??= {};
              seen[state] ??= now;
              const updated = row.getAttribute('data-updated');
              if (updated) {
                window.__updates[id + ' ' + updated] ??= now;
              }
            }
          };
          new MutationObserver(stamp).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-updated'] });
          stamp();
        }
        """;

    public static async Task RunAsync(BenchOptions options)
    {
        var slow = options.Running;
        await using var bench = await BenchSystem.StartAsync(system =>
        {
            if (slow > 0)
            {
                // Two Workers: room for every slow job and the measured ones; rcd shares 1 MiB/s among all transfers.
                system.Environment["Worker__Concurrency"] = ((slow / 2) + 20).ToString(System.Globalization.CultureInfo.InvariantCulture);
                system.Environment["RCLONE_BWLIMIT"] = "1M";
            }
        });
        var jobs = options.Changes;
        var source = bench.MakeFiles("in", jobs, 1024);
        using var http = new HttpClient { BaseAddress = bench.System.ApiUrl };
        if (slow > 0)
        {
            await StartSlowJobsAsync(bench, http, slow);
        }

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

            var cpuBefore = BenchSystem.CpuSeconds(bench.System.ProcessIds);
            var window = System.Diagnostics.Stopwatch.StartNew();
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

            var cpuAfter = BenchSystem.CpuSeconds(bench.System.ProcessIds);
            Console.WriteLine($"CPU seconds used while measuring ({window.Elapsed.TotalSeconds:0} s, 2 cores = {2 * window.Elapsed.TotalSeconds:0} available): "
                + string.Join(", ", cpuAfter.OrderByDescending(p => p.Value - cpuBefore.GetValueOrDefault(p.Key))
                    .Select(p => $"{p.Key} {p.Value - cpuBefore.GetValueOrDefault(p.Key):0.0}")));
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

            var running = (await http.GetFromJsonAsync<JsonElement>("api/jobs/counts")).GetProperty("byState").GetProperty("running").GetInt64();
            Console.WriteLine($"jobs running at the end: {running} ({slow} slow jobs started)");
            Console.WriteLine($"state changes seen in the DOM: {latencies.Count} of {jobs * 2} (a running state shorter than a render batch shows as succeeded only)");
            Console.WriteLine($"Worker → browser DOM latency: p50 {Percentile(latencies, 0.50):0} ms, p95 {Percentile(latencies, 0.95):0} ms, max {latencies[^1]:0} ms (target p95 ≤ 250 ms)");

            if (slow > 0)
            {
                var updates = await page.EvaluateAsync<Dictionary<string, long>>("() => window.__updates");
                var progress = updates.Select(u => (double)(u.Value - long.Parse(u.Key[(u.Key.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)))
                    .Order().ToList();
                if (progress.Count > 0)
                {
                    Console.WriteLine($"progress updates of running rows seen in the DOM: {progress.Count} (the page shows at most 100 running rows; "
                        + "updates of one job closer together than a render batch show as the newest only)");
                    Console.WriteLine($"Worker progress update → browser DOM latency with {running} running: p50 {Percentile(progress, 0.50):0} ms, "
                        + $"p95 {Percentile(progress, 0.95):0} ms, max {progress[^1]:0} ms (target p95 ≤ 250 ms)");
                }
            }
        }
    }

    /// <summary>Submits copies of one 1 MiB file that run slowly (bwlimit), and waits until <paramref name="count"/> of them run.</summary>
    private static async Task StartSlowJobsAsync(BenchSystem bench, HttpClient http, int count)
    {
        var dir = bench.MakeFiles("slow-in", 1, 1024 * 1024);
        var file = Directory.GetFiles(dir)[0];
        // A few more than asked: rcd's bandwidth bucket starts full, so the first ones finish early.
        await Parallel.ForEachAsync(Enumerable.Range(0, count + (count / 10)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var response = await http.PostAsJsonAsync("api/jobs",
                new { type = "copyfile", source = file, destination = Path.Combine(bench.Combine("slow-out"), $"s{i:D4}.bin") }, ct);
            response.EnsureSuccessStatusCode();
        });
        await Wait.UntilAsync(async () =>
        {
            var counts = await http.GetFromJsonAsync<JsonElement>("api/jobs/counts");
            return counts.GetProperty("byState").GetProperty("running").GetInt64() >= count;
        }, TimeSpan.FromMinutes(2), $"{count} slow jobs to run", () =>
            http.GetStringAsync("api/jobs/counts").GetAwaiter().GetResult() + "\n" + string.Join("\n", bench.System.Output.Split('\n')
                .Where(l => l.Contains("oncurrency", StringComparison.Ordinal) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)).TakeLast(20)));
        Console.WriteLine($"{count} slow jobs running");
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
