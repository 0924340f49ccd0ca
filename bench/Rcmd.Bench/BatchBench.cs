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
/// Batches (issue 4). (a) One batch of N × 1 KiB files (default 2,000; checkpointing on, every 10 items) against a raw loop
/// of rcd <c>operations/copyfile</c> over the same files at the batch's concurrency: the cold figure (first batch after the
/// system started) and the warm one (median of five batches whose Worker ran two before), each batch against the raw loop
/// run right after it. (b) A batch of M items (default 100,000;
/// <c>--items M</c>): the Workers' resident memory sampled during the run, and the time from kill -9 of the Worker running
/// it until the batch makes progress again under another Worker, printed next to the Worker lease that bounds it.
/// </summary>
public static class BatchBench
{
    private const int FileSize = 1024;

    public static async Task RunAsync(BenchOptions options)
    {
        await CheckpointedVersusRawAsync(options.Jobs == 1000 ? 2000 : options.Jobs, options.Concurrency);
        if (options.Items > 0)
        {
            await LargeBatchAsync(options.Items, options.Concurrency); // --items 0: the 2,000-item comparison only
        }
    }

    private static async Task CheckpointedVersusRawAsync(int count, int concurrency)
    {
        await using var bench = await BenchSystem.StartAsync();
        var source = bench.MakeFiles("in", count, FileSize);
        var names = Directory.GetFiles(source).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        using var http = new HttpClient { BaseAddress = bench.System.ApiUrl, Timeout = TimeSpan.FromMinutes(5) };

        // Batches one after another in the same system, each followed by a raw loop over the same files: this machine's
        // speed drifts from minute to minute, so each batch is compared with the raw loop run right after it. The first
        // batch is the cold figure (the services JIT-compile as they go). A batch runs on whichever Worker claims it; it is
        // warm when that Worker has run two whole batches before it, as a long-running Worker has. The warm figure is the
        // median of the first five warm pairs' ratios (at most 12 rounds in all).
        var rounds = new List<(TimeSpan Batch, TimeSpan Raw, string Worker, bool Warm)>();
        var runsBy = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var round = 1; round <= 12 && rounds.Count(r => r.Warm) < 5; round++)
        {
            var (time, worker) = await TimedBatchAsync(bench, http, source, bench.Combine($"out-{round}"), names, concurrency);
            var raw = await RawAsync(source, bench.Combine($"raw-out-{round}"), names, concurrency);
            rounds.Add((time, raw, worker, runsBy.GetValueOrDefault(worker) >= 2));
            runsBy[worker] = runsBy.GetValueOrDefault(worker) + 1;
        }

        var cold = rounds[0];
        var warm = rounds.Where(r => r.Warm).DefaultIfEmpty(rounds[^1]).OrderBy(r => r.Batch / r.Raw).ToList();
        var median = warm[warm.Count / 2];
        Console.WriteLine($"{"",-52}{"batch s",10}{"raw s",10}{"÷ raw",10}");
        Console.WriteLine($"{"cold (first batch after start)",-52}{cold.Batch.TotalSeconds,10:0.00}{cold.Raw.TotalSeconds,10:0.00}{cold.Batch / cold.Raw,9:0.00}×");
        foreach (var pair in warm)
        {
            Console.WriteLine($"{"warm (its Worker ran 2 before)",-52}{pair.Batch.TotalSeconds,10:0.00}{pair.Raw.TotalSeconds,10:0.00}{pair.Batch / pair.Raw,9:0.00}×");
        }

        Console.WriteLine($"batch / raw time: warm {median.Batch / median.Raw:0.00}× (median of {warm.Count} pairs; target ≤ 1.5×), "
            + $"cold {cold.Batch / cold.Raw:0.00}×; {count} × {FileSize} B files, concurrency {concurrency}, checkpointEvery 10; "
            + $"rounds (batch / raw right after): {string.Join(", ", rounds.Select(r => $"{r.Batch.TotalSeconds:0.00}/{r.Raw.TotalSeconds:0.00} s on {r.Worker}{(r.Warm ? " (warm)" : "")}"))} "
            + $"(batch: submit → succeeded, POST of the {count} items included)");
    }

    private static async Task LargeBatchAsync(int count, int concurrency)
    {
        await using var bench = await BenchSystem.StartAsync();
        var lease = TimeSpan.FromSeconds(30); // Worker:LeaseDuration default (WorkerConstants.DefaultLeaseDuration); the bench sets none
        var made = Stopwatch.StartNew();
        var source = bench.Combine("big-in");
        Directory.CreateDirectory(source);
        var content = Encoding.ASCII.GetBytes("0123456789abcdef");
        for (var i = 0; i < count; i++)
        {
            File.WriteAllBytes(Path.Combine(source, $"f{i:D6}.bin"), content);
        }

        Console.WriteLine($"made {count} files of {content.Length} B in {made.Elapsed.TotalSeconds:0.0} s");
        using var http = new HttpClient { BaseAddress = bench.System.ApiUrl, Timeout = TimeSpan.FromMinutes(10) };
        var destination = bench.Combine("big-out");
        var names = Enumerable.Range(0, count).Select(i => $"f{i:D6}.bin").ToArray();

        var rssPeak = new Dictionary<string, long>(StringComparer.Ordinal);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                foreach (var (name, pid) in CurrentPids(bench.System.DataDirectory).Where(p => p.Key.StartsWith("worker", StringComparison.Ordinal)))
                {
                    try
                    {
                        rssPeak[name] = Math.Max(rssPeak.GetValueOrDefault(name), BenchSystem.ResidentKiB(pid));
                    }
                    catch (IOException)
                    {
                        // Exited between the listing and the read.
                    }
                }

                try
                {
                    await Task.Delay(250, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var submit = Stopwatch.StartNew();
        var id = await SubmitAsync(http, source, destination, names, concurrency);
        Console.WriteLine($"submitted {count} items in {submit.Elapsed.TotalSeconds:0.0} s");
        var run = Stopwatch.StartNew();

        // Let it run a while (a tenth of the items, at least 20 s), then kill -9 the Worker running it.
        var job = await WaitAsync(http, id, j => Succeeded(j) >= Math.Min(count / 10, 5000) || IsTerminal(j), TimeSpan.FromMinutes(10));
        var owner = job.GetProperty("workerId").GetString()!;
        var pid = CurrentPids(bench.System.DataDirectory)[owner];
        var rssBeforeKill = BenchSystem.ResidentKiB(pid);
        var atKill = Succeeded(job);
        using (var kill = Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var killed = Stopwatch.StartNew();
        // Resumed = new results beyond what the dead Worker may still have had in flight (2 × concurrency).
        job = await WaitAsync(http, id, j => Succeeded(j) > atKill + (2 * concurrency) || IsTerminal(j), TimeSpan.FromMinutes(5), poll: 50);
        var resumed = killed.Elapsed;
        var adopter = job.GetProperty("workerId").GetString();

        var end = await WaitAsync(http, id, IsTerminal, TimeSpan.FromMinutes(60), poll: 500);
        run.Stop();
        await sampling.CancelAsync();
        await sampler;

        var batch = end.GetProperty("batch");
        var onDisk = Directory.Exists(destination) ? Directory.GetFiles(destination).Length : 0;
        Console.WriteLine($"batch of {count} items ended {end.GetProperty("state").GetString()} in {run.Elapsed.TotalSeconds:0.0} s "
            + $"({count / run.Elapsed.TotalSeconds:0} items/s, kill included): {batch.GetProperty("succeeded").GetInt64()} succeeded, "
            + $"{batch.GetProperty("failed").GetInt64()} failed; {onDisk} files on disk");
        Console.WriteLine($"Worker RSS: {owner} {rssBeforeKill / 1024.0:0.0} MiB just before the kill; peak per Worker during the run: "
            + string.Join(", ", rssPeak.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value / 1024.0:0.0} MiB"))
            + " (target ≤ 200 MiB)");
        Console.WriteLine($"resume after kill -9 of {owner} at {atKill} items done: {resumed.TotalSeconds:0.0} s until new progress under {adopter}; "
            + $"Worker lease {lease.TotalSeconds:0} s, lease check every 5 s, heartbeat 10 s (target ≤ lease + 2 s = {lease.TotalSeconds + 2:0} s)");
    }

    /// <summary>Submits a batch and waits until it ended; from the POST to the end.</summary>
    private static async Task<(TimeSpan Time, string Worker)> TimedBatchAsync(BenchSystem bench, HttpClient http, string source,
        string destination, string[] names, int concurrency)
    {
        // The end is seen on the Api's event stream, as the dashboard sees it: polling every few ms would load the Api
        // (and the 2 cores) while the batch runs; polling less often would add up to the interval to the time.
        using var events = await EventStream.OpenAsync(http);
        var cpuBefore = BenchSystem.CpuSeconds(bench.System.ProcessIds);
        var watch = Stopwatch.StartNew();
        var id = await SubmitAsync(http, source, destination, names, concurrency);
        var submitted = watch.Elapsed;
        await events.WaitForEndAsync(id, TimeSpan.FromMinutes(10));
        watch.Stop();
        var end = await http.GetFromJsonAsync<JsonElement>($"api/batches/{id}");
        if (end.GetProperty("state").GetString() != "succeeded")
        {
            throw new InvalidOperationException($"batch {id} ended {end.GetRawText()}");
        }

        Check(destination, names.Length);
        var cpuAfter = BenchSystem.CpuSeconds(bench.System.ProcessIds);
        var run = end.GetProperty("finishedAt").GetDateTimeOffset() - end.GetProperty("startedAt").GetDateTimeOffset();
        Console.WriteLine($"batch of {names.Length}: {watch.Elapsed.TotalSeconds:0.00} s (POST {submitted.TotalSeconds:0.00} s, "
            + $"start → end on the Worker {run.TotalSeconds:0.00} s); CPU ms per item: "
            + string.Join(", ", cpuAfter.Select(p => $"{p.Key} {(p.Value - cpuBefore.GetValueOrDefault(p.Key)) * 1000 / names.Length:0.00}")));
        return (watch.Elapsed, end.TryGetProperty("workerId", out var worker) ? worker.GetString() ?? "?" : "?");
    }

    private static async Task<string> SubmitAsync(HttpClient http, string source, string destination, string[] names, int concurrency)
    {
        var items = new JsonArray();
        foreach (var name in names)
        {
            items.Add(new JsonObject { ["op"] = "copyfile", ["source"] = Path.Combine(source, name), ["destination"] = Path.Combine(destination, name) });
        }

        var body = new JsonObject { ["items"] = items, ["options"] = new JsonObject { ["concurrency"] = concurrency, ["checkpointEvery"] = 10 } };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync("api/batches", content);
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 202)
        {
            throw new InvalidOperationException($"POST /api/batches answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> WaitAsync(HttpClient http, string id, Func<JsonElement, bool> condition, TimeSpan timeout, int poll = 100)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var job = await http.GetFromJsonAsync<JsonElement>($"api/batches/{id}");
            if (condition(job))
            {
                return job;
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"batch {id}: {job.GetRawText()}");
            }

            await Task.Delay(poll);
        }
    }

    /// <summary>The Api's live event stream (<c>/api/sse/status</c>), read for the job updates of one batch.</summary>
    private sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public static async Task<EventStream> OpenAsync(HttpClient http)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/sse/status?types=job-update");
            request.Headers.Accept.ParseAdd("text/event-stream");
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        }

        /// <summary>Reads events until one says batch <paramref name="id"/> ended.</summary>
        public async Task WaitForEndAsync(string id, TimeSpan timeout)
        {
            using var bound = new CancellationTokenSource(timeout);
            while (true)
            {
                var line = await reader.ReadLineAsync(bound.Token) ?? throw new EndOfStreamException("The Api's event stream ended.");
                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    continue;
                }

                using var data = JsonDocument.Parse(line.AsMemory(6));
                if (data.RootElement.TryGetProperty("job", out var job) && job.GetProperty("id").GetString() == id && IsTerminal(job))
                {
                    return;
                }
            }
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }

    private static async Task<TimeSpan> RawAsync(string source, string destination, string[] names, int concurrency)
    {
        using var rcd = new RcloneServer();
        await rcd.StartAsync();
        using var http = rcd.CreateHttpClient();
        var pids = new Dictionary<string, int> { ["rcd"] = rcd.ProcessId!.Value };
        var cpuBefore = BenchSystem.CpuSeconds(pids);
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
        var cpu = BenchSystem.CpuSeconds(pids)["rcd"] - cpuBefore["rcd"];
        Console.WriteLine($"raw loop of {names.Length}: {watch.Elapsed.TotalSeconds:0.00} s; CPU ms per item: rcd {cpu * 1000 / names.Length:0.00}");
        return watch.Elapsed;
    }

    /// <summary>The processes the AppHost runs now (it rewrites <c>{data}/rcmd.pids</c> when it restarts one).</summary>
    private static Dictionary<string, int> CurrentPids(string dataDirectory)
    {
        var pids = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadAllLines(Path.Combine(dataDirectory, "rcmd.pids")))
            {
                var parts = line.Split(' ', 3);
                if (parts.Length == 3 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid))
                {
                    pids[parts[2]] = pid;
                }
            }
        }
        catch (IOException)
        {
        }

        return pids;
    }

    private static long Succeeded(JsonElement job) => job.GetProperty("batch").GetProperty("succeeded").GetInt64();

    private static bool IsTerminal(JsonElement job) =>
        job.GetProperty("state").GetString() is "succeeded" or "partially_failed" or "failed" or "canceled";

    private static void Check(string destination, int expected)
    {
        var count = Directory.Exists(destination) ? Directory.GetFiles(destination).Length : 0;
        if (count != expected)
        {
            throw new InvalidOperationException($"{destination} holds {count} files, expected {expected}");
        }
    }
}
