using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// N single-file copy jobs of 1 KiB: raw <c>rclone rcd operations/copyfile</c> at concurrency C, then the same files
/// as N <c>copyfile</c> jobs through Rcmd's API until every job is terminal.
/// </summary>
public static class ThroughputBench
{
    public static async Task RunAsync(BenchOptions options)
    {
        await using var bench = await BenchSystem.StartAsync();
        var source = bench.MakeFiles("in", options.Jobs, 1024);
        var names = Directory.GetFiles(source).Select(Path.GetFileName).OfType<string>().ToArray();

        var raw = await RawAsync(source, bench.Combine("raw-out"), names, options.Concurrency);
        var rcmd = await RcmdAsync(bench, source, bench.Combine("rcmd-out"), names, options.Concurrency);

        Console.WriteLine($"{"",-28}{"seconds",10}{"jobs/s",10}");
        Console.WriteLine($"{"raw rcd operations/copyfile",-28}{raw.TotalSeconds,10:0.00}{options.Jobs / raw.TotalSeconds,10:0.0}");
        Console.WriteLine($"{"Rcmd API → Worker → rcd",-28}{rcmd.TotalSeconds,10:0.00}{options.Jobs / rcmd.TotalSeconds,10:0.0}");
        Console.WriteLine($"Rcmd / raw throughput: {raw.TotalSeconds / rcmd.TotalSeconds:0.00}× (target ≥ 0.5×), {options.Jobs} files, concurrency {options.Concurrency}");
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

    private static async Task<TimeSpan> RcmdAsync(BenchSystem bench, string source, string destination, string[] names, int concurrency)
    {
        using var http = new HttpClient { BaseAddress = bench.System.ApiUrl };
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (name, ct) =>
        {
            using var response = await http.PostAsJsonAsync("api/jobs",
                new { type = "copyfile", source = Path.Combine(source, name), destination = Path.Combine(destination, name) }, ct);
            response.EnsureSuccessStatusCode();
        });
        Console.WriteLine($"Rcmd: {names.Length} jobs submitted in {watch.Elapsed.TotalSeconds:0.00} s");

        while (true)
        {
            var counts = await http.GetFromJsonAsync<JsonElement>("api/jobs/counts");
            var byState = counts.GetProperty("byState");
            var terminal = byState.GetProperty("succeeded").GetInt64() + byState.GetProperty("failed").GetInt64() + byState.GetProperty("canceled").GetInt64();
            if (terminal >= names.Length)
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
