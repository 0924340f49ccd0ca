using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// Resident memory of each service with many finished jobs stored: the jobs are written straight into Redis with
/// Rcmd's key scheme, then the Api lists them (first, middle and last page), the dashboard's jobs page is opened,
/// and each process's VmRSS is read from /proc.
/// </summary>
public static class MemoryBench
{
    public static async Task RunAsync(BenchOptions options)
    {
        await using var bench = await BenchSystem.StartAsync();
        var seeded = Stopwatch.StartNew();
        await JobSeeder.SeedAsync(bench.System.RedisConnectionString, options.StoredJobs);
        Console.WriteLine($"seeded {options.StoredJobs} finished jobs in {seeded.Elapsed.TotalSeconds:0.0} s");

        using var http = new HttpClient { BaseAddress = bench.System.ApiUrl };
        var timings = new List<(string, double)>();
        foreach (var page in new[] { 1, options.StoredJobs / 100, options.StoredJobs / 50 })
        {
            var watch = Stopwatch.StartNew();
            var list = await http.GetFromJsonAsync<JsonElement>($"api/jobs?page={page}&pageSize=50");
            timings.Add(($"GET /api/jobs page {page}", watch.Elapsed.TotalMilliseconds));
            if (list.GetProperty("total").GetInt64() < options.StoredJobs)
            {
                throw new InvalidOperationException("the Api does not see the seeded jobs");
            }
        }

        var (playwright, browser) = await Browser.LaunchAsync();
        await using (browser)
        using (playwright)
        {
            var tab = await browser.NewPageAsync();
            var watch = Stopwatch.StartNew();
            await tab.GotoAsync(new Uri(bench.System.WebUrl, "jobs").ToString());
            await tab.WaitForSelectorAsync("[data-testid=jobs-grid] tr.job-row", new() { Timeout = 30_000 });
            timings.Add(("dashboard /jobs first rows", watch.Elapsed.TotalMilliseconds));
            await Task.Delay(3000);

            foreach (var (what, ms) in timings)
            {
                Console.WriteLine($"{what,-32}{ms,10:0.0} ms");
            }

            Console.WriteLine($"{"process",-12}{"RSS MiB",10}   (target ≤ 200 MiB each, {options.StoredJobs} jobs stored)");
            foreach (var (name, pid) in bench.System.ProcessIds.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Console.WriteLine($"{name,-12}{BenchSystem.ResidentKiB(pid) / 1024.0,10:0.0}");
            }
        }
    }
}
