using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// N single-file copy jobs of 1 KiB: raw <c>rclone rcd operations/copyfile</c> at concurrency C, then the same files
/// as N <c>copyfile</c> jobs through Rcmd's API until every job is terminal — several rounds in the same running
/// system: the first round is a cold start (the .NET services JIT-compile their code paths as they meet them, which
/// costs them several CPU-seconds), the last is the steady state a long-running service is in. Both are printed,
/// with the CPU each process spent per job.
/// </summary>
public static class ThroughputBench
{
    private const int Rounds = 4;

    public static async Task RunAsync(BenchOptions options)
    {
        await using var bench = await BenchSystem.StartAsync();
        var source = bench.MakeFiles("in", options.Jobs, 1024);
        var names = Directory.GetFiles(source).Select(Path.GetFileName).OfType<string>().ToArray();

        var raw = new List<TimeSpan>();
        for (var round = 1; round <= 2; round++)
        {
            raw.Add(await RawAsync(source, bench.Combine($"raw-out-{round}"), names, options.Concurrency));
        }

        var rcmd = new List<TimeSpan>();
        for (var round = 1; round <= Rounds; round++)
        {
            Console.Write($"Rcmd round {round}: ");
            rcmd.Add(await RcmdAsync(bench, source, bench.Combine($"rcmd-out-{round}"), names, options.Concurrency, names.Length * (round - 1)));
        }

        var rawBest = raw.Min();
        Console.WriteLine($"{"",-40}{"seconds",10}{"jobs/s",10}{"Rcmd/raw",10}");
        Console.WriteLine($"{"raw rcd operations/copyfile (best of 2)",-40}{rawBest.TotalSeconds,10:0.00}{options.Jobs / rawBest.TotalSeconds,10:0.0}");
        for (var round = 0; round < rcmd.Count; round++)
        {
            var label = round == 0 ? "Rcmd API → Worker → rcd, cold start" : $"Rcmd API → Worker → rcd, round {round + 1}";
            Console.WriteLine($"{label,-40}{rcmd[round].TotalSeconds,10:0.00}{options.Jobs / rcmd[round].TotalSeconds,10:0.0}{rawBest / rcmd[round],9:0.00}×");
        }

        Console.WriteLine($"Rcmd / raw throughput: cold {rawBest / rcmd[0]:0.00}×, warm {rawBest / rcmd[^1]:0.00}× (target ≥ 0.5×), "
            + $"{options.Jobs} files, concurrency {options.Concurrency}; raw runs {string.Join(", ", raw.Select(r => r.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)))} s");
    }

    private static async Task<TimeSpan> RawAsync(string source, string destination, string[] names, int concurrency)
    {
        using var rcd = new RcloneServer();
        await rcd.StartAsync();
        using var http = rcd.CreateHttpClient();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (name, ct) =>
        {
            var body = new JsonObject { ["srcFs"] = source, ["srcRemote"] = name, ["dstFs"] = destination, ["dstRemote"] = name };
            using var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(new Uri(rcd.Url, "operations/copyfile"), content, ct);
            response.EnsureSuccessStatusCode();
        });
        watch.Stop();
        Check(destination, names.Length);
        return watch.Elapsed;
    }

    /// <summary>Submits the N jobs and waits until <paramref name="before"/> + N jobs are terminal.</summary>
    private static async Task<TimeSpan> RcmdAsync(BenchSystem bench, string source, string destination, string[] names, int concurrency, int before)
    {
        using var http = new HttpClient { BaseAddress = bench.System.ApiUrl };
        var cpuBefore = BenchSystem.CpuSeconds(bench.System.ProcessIds);
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (name, ct) =>
        {
            using var response = await http.PostAsJsonAsync("api/jobs",
                new { type = "copyfile", source = Path.Combine(source, name), destination = Path.Combine(destination, name) }, ct);
            response.EnsureSuccessStatusCode();
        });
        Console.Write($"{names.Length} jobs submitted in {watch.Elapsed.TotalSeconds:0.00} s, ");

        while (true)
        {
            var counts = await http.GetFromJsonAsync<JsonElement>("api/jobs/counts");
            var byState = counts.GetProperty("byState");
            var terminal = byState.GetProperty("succeeded").GetInt64() + byState.GetProperty("failed").GetInt64() + byState.GetProperty("canceled").GetInt64();
            if (terminal >= before + names.Length)
            {
                if (byState.GetProperty("failed").GetInt64() > 0)
                {
                    Console.WriteLine($"warning: {byState.GetProperty("failed").GetInt64()} jobs failed");
                }

                break;
            }

            await Task.Delay(20);
        }

        watch.Stop();
        var cpuAfter = BenchSystem.CpuSeconds(bench.System.ProcessIds);
        Console.WriteLine($"all terminal in {watch.Elapsed.TotalSeconds:0.00} s; CPU ms per job: "
            + string.Join(", ", cpuAfter.Select(p => $"{p.Key} {(p.Value - cpuBefore.GetValueOrDefault(p.Key)) * 1000 / names.Length:0.00}"))
            + $" ({Environment.ProcessorCount} cores)");
        Check(destination, names.Length);
        return watch.Elapsed;
    }

    private static void Check(string destination, int expected)
    {
        var count = Directory.Exists(destination) ? Directory.GetFiles(destination).Length : 0;
        if (count != expected)
        {
            throw new InvalidOperationException($"{destination} holds {count} files, expected {expected}");
        }
    }
}
