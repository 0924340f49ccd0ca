using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Rcmd.Storage;

namespace Rcmd.Bench;

/// <summary>
/// Issue 17's soak: <c>--jobs N</c> (default 1,000,000) tiny jobs through the whole system — the Api's
/// <c>POST /api/jobs</c>, Redis, the Worker replicas, rclone rcd (<c>copyfile</c> of one 1 KiB file, dry run) — with
/// retention at a short setting (<see cref="Retention"/>), for at most <c>--minutes M</c> when given. Every minute
/// (<c>--sample-seconds</c>) it samples Redis's <c>used_memory</c> and RSS, each service's RSS, and the Api's list and counts latency, prints a row
/// and appends it to <c>bench/soak-&lt;date&gt;.csv</c>. At most <see cref="Window"/> jobs are queued or running at a time,
/// so what the curve shows is what is kept, not a backlog.
/// </summary>
public static class SoakBench
{
    /// <summary>Jobs in flight at most (queued, running or waiting); submission pauses above it.</summary>
    private const int Window = 2_000;

    /// <summary><c>INFO memory</c> through a script: the client is not in admin mode (as RedisMemory reads it).</summary>
    private const string InfoMemory = "#!lua flags=no-writes,allow-oom\nreturn redis.call('INFO', 'memory')";

    /// <summary>Short retention, so the sweep has work from the third minute on: finished jobs kept 2 minutes, swept every 30 s.</summary>
    private static Dictionary<string, string> Retention(string archive) => new()
    {
        ["Rcmd__Retention__Succeeded"] = "00:02:00",
        ["Rcmd__Retention__Failed"] = "00:02:00",
        ["Rcmd__Retention__BatchItems"] = "00:02:00",
        ["Rcmd__Retention__ArchivedLinks"] = "00:05:00",
        ["Rcmd__Retention__SweepInterval"] = "00:00:30",
        ["Rcmd__Retention__ArchiveTo"] = archive,
    };

    public static async Task RunAsync(BenchOptions options)
    {
        using var scratch = new Rcmd.Testing.TempDirectory("soak");
        var archive = scratch.Combine("archive");
        Directory.CreateDirectory(archive);
        await using var bench = await BenchSystem.StartAsync(system =>
        {
            foreach (var (name, value) in Retention(archive))
            {
                system.Environment[name] = value;
            }

            // A line per request for hours would be the services' main work (and the log's size): warnings and errors only.
            system.Environment["Logging__LogLevel__Default"] = "Warning";
        });
        var source = bench.MakeFiles("in", 1, 1024);
        using var http = new HttpClient { BaseAddress = bench.System.ApiUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var redis = new RedisConnection(bench.System.RedisConnectionString, new RedisKeys());
        var csv = Path.Combine(StartupBench.RepositoryRoot(), "bench", $"soak-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.csv");
        var deadline = options.MinutesLimit is { } minutes ? DateTime.UtcNow.AddMinutes(minutes) : DateTime.MaxValue;
        Console.WriteLine($"soak: {options.Jobs:N0} jobs (copyfile 1 KiB, dry run), ≤ {Window} in flight, {(options.MinutesLimit is { } m ? $"at most {m} min" : "no time limit")}; "
            + string.Join(", ", Retention(archive).Where(r => !r.Key.EndsWith("ArchiveTo", StringComparison.Ordinal)).Select(r => $"{r.Key["Rcmd__Retention__".Length..]} {r.Value}")));
        Console.WriteLine($"csv: {csv}");

        var sampleEvery = TimeSpan.FromSeconds(options.SampleSeconds);
        var expiry = Environment.GetEnvironmentVariable("RCMD_RCLONE_JOB_EXPIRE") is { Length: > 0 } e ? e + " (RCMD_RCLONE_JOB_EXPIRE)" : "the AppHost's default time";
        Console.WriteLine($"rcd keeps finished jobs {expiry}; a row every {options.SampleSeconds} s");
        var sampler = new Sampler(bench, http, redis, csv);
        await sampler.SampleAsync(0);
        var watch = Stopwatch.StartNew();
        long submitted = 0;
        using var stop = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            for (var sample = 1; !stop.IsCancellationRequested; sample++)
            {
                var next = sampleEvery * sample - watch.Elapsed;
                try
                {
                    await Task.Delay(next > TimeSpan.Zero ? next : TimeSpan.Zero, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                await sampler.SampleAsync(Interlocked.Read(ref submitted));
            }
        });

        while (submitted < options.Jobs && DateTime.UtcNow < deadline)
        {
            if (await LiveAsync(http) > Window)
            {
                await Task.Delay(200);
                continue;
            }

            var chunk = (int)Math.Min(500, options.Jobs - submitted);
            var first = submitted;
            await Parallel.ForEachAsync(Enumerable.Range(0, chunk), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (i, ct) =>
            {
                var n = first + i;
                using var response = await http.PostAsJsonAsync("api/jobs", new
                {
                    type = "copyfile",
                    source = Path.Combine(source, "f000000.bin"),
                    destination = bench.Combine("out", $"d{n % 1000:D3}", $"f{n:D7}.bin"),
                    options = new { dryRun = true },
                }, ct);
                response.EnsureSuccessStatusCode();
            });
            Interlocked.Add(ref submitted, chunk);
        }

        // Let the last jobs finish and one more sweep pass over them (retention 2 min + a sweep every 30 s).
        var drained = DateTime.UtcNow.AddMinutes(4);
        while (await LiveAsync(http) > 0 && DateTime.UtcNow < drained)
        {
            await Task.Delay(1000);
        }

        Console.WriteLine($"submitted {submitted:N0} in {watch.Elapsed.TotalMinutes:0.0} min ({submitted / watch.Elapsed.TotalSeconds:0} jobs/s); "
            + "waiting for the sweep to pass over the last of them");
        await Task.Delay(TimeSpan.FromMinutes(3));
        await stop.CancelAsync();
        await sampling;
        await sampler.SampleAsync(submitted);
        Console.WriteLine($"archive: {Directory.EnumerateFiles(archive, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1048576.0:0.0} MiB gzipped; csv: {csv}");
    }

    /// <summary>Jobs queued, running or waiting, from <c>GET /api/jobs/counts</c>.</summary>
    private static async Task<long> LiveAsync(HttpClient http)
    {
        var counts = await http.GetFromJsonAsync<JsonElement>("api/jobs/counts");
        var byState = counts.GetProperty("byState");
        return new[] { "queued", "running", "waiting" }.Sum(s => byState.TryGetProperty(s, out var v) ? v.GetInt64() : 0);
    }

    /// <summary>One row per sample: the console table and the CSV, with the same columns.</summary>
    private sealed class Sampler(BenchSystem bench, HttpClient http, RedisConnection redis, string csv)
    {
        private readonly Stopwatch _since = Stopwatch.StartNew();
        private readonly SemaphoreSlim _one = new(1, 1);
        private bool _headerWritten;

        public async Task SampleAsync(long submitted)
        {
            await _one.WaitAsync();
            try
            {
                var watch = Stopwatch.StartNew();
                var counts = await http.GetFromJsonAsync<JsonElement>("api/jobs/counts");
                var countsMs = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                using (await http.GetAsync("api/jobs?state=succeeded&pageSize=50"))
                {
                }

                var listMs = watch.Elapsed.TotalMilliseconds;
                var byState = counts.GetProperty("byState");
                long State(string name) => byState.TryGetProperty(name, out var v) ? v.GetInt64() : 0;
                var memory = await redis.Database.ScriptEvaluateAsync(InfoMemory);
                var info = memory.ToString() ?? "";
                double Info(string field) => info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal)) is { } line
                    ? double.Parse(line[(field.Length + 1)..], CultureInfo.InvariantCulture) / 1048576.0 : double.NaN;
                var rss = bench.System.ProcessIds.OrderBy(p => p.Key, StringComparer.Ordinal)
                    .Select(p => (Name: p.Key.StartsWith("worker-", StringComparison.Ordinal) ? "worker" : p.Key, MiB: BenchSystem.ResidentKiB(p.Value) / 1024.0)).ToList();
                var workers = rss.Where(r => r.Name == "worker").Select(r => r.MiB).ToList();
                var row = new (string Name, string Value)[]
                {
                    ("min", (_since.Elapsed.TotalMinutes).ToString("0.0", CultureInfo.InvariantCulture)),
                    ("submitted", submitted.ToString(CultureInfo.InvariantCulture)),
                    ("in flight", (State("queued") + State("running") + State("waiting")).ToString(CultureInfo.InvariantCulture)),
                    ("kept", counts.GetProperty("total").GetInt64().ToString(CultureInfo.InvariantCulture)),
                    ("redis used MiB", Info("used_memory").ToString("0.0", CultureInfo.InvariantCulture)),
                    ("redis rss MiB", Info("used_memory_rss").ToString("0.0", CultureInfo.InvariantCulture)),
                    ("api MiB", Rss(rss, "api")),
                    ("worker MiB", string.Join("/", workers.Select(w => w.ToString("0", CultureInfo.InvariantCulture)))),
                    ("web MiB", Rss(rss, "web")),
                    ("rclone MiB", Rss(rss, "rclone")),
                    ("list ms", listMs.ToString("0.0", CultureInfo.InvariantCulture)),
                    ("counts ms", countsMs.ToString("0.0", CultureInfo.InvariantCulture)),
                    ("load", File.ReadAllText("/proc/loadavg").Split(' ')[0]),
                };
                if (!_headerWritten)
                {
                    Console.WriteLine(string.Concat(row.Select(c => c.Name.PadLeft(Math.Max(c.Name.Length, 8) + 2))));
                    await File.WriteAllTextAsync(csv, string.Join(',', row.Select(c => c.Name.Replace(' ', '_'))) + "\n");
                    _headerWritten = true;
                }

                Console.WriteLine(string.Concat(row.Select(c => c.Value.PadLeft(Math.Max(c.Name.Length, 8) + 2))));
                await File.AppendAllTextAsync(csv, string.Join(',', row.Select(c => c.Value.Replace(',', ';'))) + "\n", Encoding.UTF8);
            }
            finally
            {
                _one.Release();
            }
        }

        private static string Rss(List<(string Name, double MiB)> rss, string name) =>
            rss.FirstOrDefault(r => r.Name == name).MiB.ToString("0", CultureInfo.InvariantCulture);
    }
}
