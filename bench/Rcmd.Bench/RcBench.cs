using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// Issue 14's figures, in one run, each row the median of 3 rounds:
/// <list type="number">
/// <item><c>operations/copyfile</c> called synchronously, 1,000 files of 1 KiB, 8 at a time: through Rcmd's <c>/rc/</c>
/// (each call an Rcmd job, queued, run by a Worker, answered at its end) and on an rcd of its own directly.</item>
/// <item><c>job/status</c> requests/s on <c>/rc/</c> (8 clients, 5 s), for a finished job.</item>
/// <item><c>core/stats</c> latency on <c>/rc/</c> with 1,000+ finished RC jobs (their groups in Rcmd's index):
/// of one finished job's group (<c>job/N</c>, from its record) and the whole (rcd's, groups renamed).</item>
/// </list>
/// Whole system through the AppHost (two Workers) on loopback; the direct rcd is a second <c>rclone rcd</c>.
/// </summary>
public static class RcBench
{
    private const int Files = 1000;
    private const int Concurrency = 8;
    private const int Rounds = 3;

    public static async Task RunAsync(BenchOptions options)
    {
        await using var bench = await BenchSystem.StartAsync();
        using var rcd = new RcloneServer();
        await rcd.StartAsync();
        var source = bench.MakeFiles("in", Files, 1024);
        using var rcmd = new HttpClient { BaseAddress = bench.System.ApiUrl, Timeout = TimeSpan.FromMinutes(5) };
        using var direct = rcd.CreateHttpClient();
        direct.Timeout = TimeSpan.FromMinutes(5);
        Console.WriteLine($"rc: {Files} × 1 KiB operations/copyfile (synchronous), {Concurrency} at a time; median of {Rounds} rounds; load {Load()}");

        var viaRcmd = new List<double>();
        var viaRcd = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            viaRcmd.Add(await CopyFilesAsync(rcmd, new Uri("rc/operations/copyfile", UriKind.Relative), source, bench.Combine($"rcmd-{round}")));
            viaRcd.Add(await CopyFilesAsync(direct, new Uri(rcd.Url, "operations/copyfile"), source, bench.Combine($"rcd-{round}")));
        }

        Console.WriteLine($"  copyfile via Rcmd /rc/   {Median(viaRcmd),8:0.0} s   {Files / Median(viaRcmd),8:0} files/s   rounds {string.Join(", ", viaRcmd.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"  copyfile on rcd directly {Median(viaRcd),8:0.0} s   {Files / Median(viaRcd),8:0} files/s   rounds {string.Join(", ", viaRcd.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture)))}");

        using var startedResponse = await rcmd.PostAsync($"rc/operations/copyfile?srcFs={Uri.EscapeDataString(source)}&srcRemote=f000000.bin&dstFs={Uri.EscapeDataString(bench.Combine("one"))}&dstRemote=a.bin&_async=true", null);
        var jobId = (await startedResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobid").GetInt64();
        await Task.Delay(2000);
        var statusRates = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            statusRates.Add(await RateAsync(() => rcmd.PostAsync($"rc/job/status?jobid={jobId}", null), TimeSpan.FromSeconds(5)));
        }

        Console.WriteLine($"  job/status on /rc/       {Median(statusRates),8:0} req/s   ({Concurrency} clients, 5 s per round)");

        var groupLatency = new List<(double P50, double P99)>();
        var wholeLatency = new List<(double P50, double P99)>();
        for (var round = 0; round < Rounds; round++)
        {
            groupLatency.Add(await LatencyAsync(() => rcmd.PostAsync($"rc/core/stats?group=job/{jobId}", null), 200));
            wholeLatency.Add(await LatencyAsync(() => rcmd.PostAsync("rc/core/stats", null), 200));
        }

        Console.WriteLine($"  core/stats?group=job/N   p50 {Median(groupLatency.Select(l => l.P50)),6:0.00} ms   p99 {Median(groupLatency.Select(l => l.P99)),6:0.00} ms   ({jobId} RC jobs, 200 calls per round)");
        Console.WriteLine($"  core/stats (whole)       p50 {Median(wholeLatency.Select(l => l.P50)),6:0.00} ms   p99 {Median(wholeLatency.Select(l => l.P99)),6:0.00} ms");
        Console.WriteLine($"  load after: {Load()}");
    }

    /// <summary>Copies every file with a synchronous copyfile call each, <see cref="Concurrency"/> at a time; seconds taken.</summary>
    private static async Task<double> CopyFilesAsync(HttpClient http, Uri method, string source, string destination)
    {
        var watch = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(Concurrency);
        await Task.WhenAll(Enumerable.Range(0, Files).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var name = $"f{i:D6}.bin";
                // Exactly "application/json" (no charset): rcd 1.60 reads a JSON body only under that type.
                using var body = JsonContent.Create(new { srcFs = source, srcRemote = name, dstFs = destination, dstRemote = name },
                    new System.Net.Http.Headers.MediaTypeHeaderValue("application/json"));
                using var response = await http.PostAsync(method, body);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"copyfile {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        var seconds = watch.Elapsed.TotalSeconds;
        var copied = Directory.GetFiles(destination).Length;
        return copied == Files ? seconds : throw new InvalidOperationException($"{copied} of {Files} files at {destination}");
    }

    private static async Task<double> RateAsync(Func<Task<HttpResponseMessage>> call, TimeSpan duration)
    {
        var count = 0L;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (watch.Elapsed < duration)
            {
                using var response = await call();
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref count);
            }
        }));
        return count / watch.Elapsed.TotalSeconds;
    }

    private static async Task<(double P50, double P99)> LatencyAsync(Func<Task<HttpResponseMessage>> call, int calls)
    {
        var times = new List<double>(calls);
        for (var i = 0; i < calls; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await call();
            response.EnsureSuccessStatusCode();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return (times[times.Count / 2], times[(int)(times.Count * 0.99)]);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Load() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
