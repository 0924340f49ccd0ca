using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// The Web server's resident memory with many dashboards open under live traffic: <c>--dashboards N</c> Chromium pages
/// (default 20: Status, Jobs and a running job's detail in turn, each its own circuit) stay open for <c>--minutes M</c>
/// (default 10) while jobs keep coming — 20 slow copies always running (progress every 500 ms) and 4 small copies a
/// second — and the Web's VmRSS is printed at the start and every minute, with the growth from the first minute to the
/// last. Target ≤ 250 MiB and flat.
/// </summary>
public static class DashboardMemoryBench
{
    private const int SlowJobs = 20;
    private const double TargetMiB = 250;

    public static async Task RunAsync(BenchOptions options)
    {
        await using var bench = await BenchSystem.StartAsync(system =>
        {
            system.Environment["Worker__Concurrency"] = "16";
            system.Environment["RCLONE_BWLIMIT"] = "1M";
        });
        var webPid = bench.System.ProcessIds["web"];
        var slowFile = Directory.GetFiles(bench.MakeFiles("slow-in", 1, 1024 * 1024))[0];
        var smallFile = Directory.GetFiles(bench.MakeFiles("small-in", 1, 1024))[0];
        using var http = new HttpClient { BaseAddress = bench.System.ApiUrl };
        var submitted = 0;

        async Task<string> SubmitAsync(string file, CancellationToken ct)
        {
            var n = Interlocked.Increment(ref submitted);
            using var response = await http.PostAsJsonAsync("api/jobs",
                new { type = "copyfile", source = file, destination = Path.Combine(bench.Combine("out"), $"j{n:D7}.bin") }, ct);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
        }

        using var stop = new CancellationTokenSource();
        var slowId = await SubmitAsync(slowFile, stop.Token);
        var traffic = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var counts = await http.GetFromJsonAsync<JsonElement>("api/jobs/counts", stop.Token);
                    var active = counts.GetProperty("byState").GetProperty("running").GetInt64() + counts.GetProperty("queueLength").GetInt64();
                    for (var i = active; i < SlowJobs; i++)
                    {
                        await SubmitAsync(slowFile, stop.Token);
                    }

                    for (var i = 0; i < 4; i++)
                    {
                        await SubmitAsync(smallFile, stop.Token);
                    }

                    await Task.Delay(1000, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
            }
        });

        var (playwright, browser) = await Browser.LaunchAsync();
        await using (browser)
        using (playwright)
        {
            Console.WriteLine($"web RSS before any dashboard: {MiB(webPid):0.0} MiB");
            var paths = new[] { string.Empty, "jobs", $"jobs/{slowId}" };
            var pages = new List<IPage>();
            for (var i = 0; i < options.Dashboards; i++)
            {
                var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
                var page = await context.NewPageAsync();
                await page.GotoAsync(new Uri(bench.System.WebUrl, paths[i % paths.Length]).ToString());
                await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
                pages.Add(page);
            }

            await Task.Delay(5000);
            Console.WriteLine($"{options.Dashboards} dashboards open ({string.Join(", ", paths.Select(p => "/" + p))} in turn), live traffic running");
            Console.WriteLine($"{"minute",8}{"web RSS MiB",14}{"jobs submitted",16}  anon/file/shmem MiB, GC (the Web's /metrics)");
            var samples = new List<double>();
            var watch = Stopwatch.StartNew();
            var minutes = Math.Max(1, (int)Math.Ceiling(options.Minutes));
            for (var minute = 0; minute <= minutes; minute++)
            {
                var due = TimeSpan.FromMinutes(Math.Min(minute, options.Minutes));
                var wait = due - watch.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var rss = MiB(webPid);
                samples.Add(rss);
                Console.WriteLine($"{due.TotalMinutes,8:0.0}{rss,14:0.0}{Volatile.Read(ref submitted),16}  {Split(webPid)}, {await GcAsync(bench.System.WebUrl)}");
                if (due.TotalMinutes >= options.Minutes)
                {
                    break;
                }
            }

            var live = await Task.WhenAll(pages.Select(p => p.EvaluateAsync<bool>(
                "() => !document.querySelector('#components-reconnect-modal.components-reconnect-show, #components-reconnect-modal.components-reconnect-failed')")));
            var afterFirst = samples.Count > 1 ? samples[1] : samples[0];
            Console.WriteLine($"web RSS: max {samples.Max():0.0} MiB, last {samples[^1]:0.0} MiB, from minute 1 to the end "
                + $"{samples[^1] - afterFirst:+0.0;-0.0} MiB (target ≤ {TargetMiB} MiB and flat); {live.Count(l => l)} of {pages.Count} pages still live");
            await stop.CancelAsync();
            await traffic;
        }
    }

    private static double MiB(int pid) => BenchSystem.ResidentKiB(pid) / 1024.0;

    /// <summary>
    /// Where the resident memory is: anonymous (GC heap, native buffers; JIT code too with W^X off), file-backed (mapped
    /// assemblies) and shared (with W^X on, the default, the runtime maps its executable memory — JIT code, stubs — twice
    /// from one shared file, so it shows here).
    /// </summary>
    private static string Split(int pid)
    {
        var fields = File.ReadLines($"/proc/{pid}/status")
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[0] is "RssAnon" or "RssFile" or "RssShmem")
            .ToDictionary(p => p[0], p => long.Parse(p[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0);
        return $"{fields.GetValueOrDefault("RssAnon"):0}/{fields.GetValueOrDefault("RssFile"):0}/{fields.GetValueOrDefault("RssShmem"):0}";
    }

    /// <summary>The .NET runtime's GC figures from the Web's /metrics (heap after the last GC, committed), in MiB.</summary>
    private static async Task<string> GcAsync(Uri web)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var text = await http.GetStringAsync(new Uri(web, "metrics"));
            var picked = text.Split('\n')
                .Where(l => !l.StartsWith('#') && (l.Contains("gc_last_collection_heap_size", StringComparison.Ordinal)
                    || l.Contains("gc_last_collection_memory_committed", StringComparison.Ordinal)
                    || l.Contains("gc_heap_size", StringComparison.Ordinal) || l.Contains("gc_committed", StringComparison.Ordinal)))
                .Select(l => l.Split(' ') is { Length: >= 2 } p && double.TryParse(p[1], CultureInfo.InvariantCulture, out var v)
                    ? $"{p[0].Replace("process_runtime_dotnet_", "", StringComparison.Ordinal).Replace("dotnet_", "", StringComparison.Ordinal)}={v / 1048576:0.0}"
                    : l);
            return string.Join(' ', picked) is { Length: > 0 } line ? line : "no GC metrics";
        }
        catch (HttpRequestException ex)
        {
            return "metrics: " + ex.Message;
        }
    }
}
