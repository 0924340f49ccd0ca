using System.Diagnostics;
using System.Globalization;
using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// Issue 3 §4's figures: the circuit breaker per remote on and off (<c>Breakers:Enabled</c>), side by side.
/// <list type="bullet">
/// <item>A dead remote (a webdav remote on a closed loopback port), 100 copy jobs queued against it: time until every
/// job is resolved — failed, or waiting for the breaker. rcd runs with rclone's defaults, so each run that reaches the
/// dead remote pays rclone's own low-level retries before it fails.</item>
/// <item>The healthy path: N <c>copyfile</c> jobs of 1 KiB to a named local remote (<c>disk:</c>, which has a breaker,
/// unlike plain local paths) — jobs/s.</item>
/// </list>
/// Self-contained: its own redis-server, rcd and 2 Worker processes × 4 concurrent jobs (the AppHost's default), Rcmd
/// job retries off (<c>RCLONE_RETRY_ATTEMPTS=1</c>) so each job is one run. Jobs are queued straight into Redis with
/// the store the Api uses.
/// </summary>
public static class BreakerBench
{
    private const int DeadJobs = 100;
    private const int Workers = 2;
    private static readonly TimeSpan DeadTimeout = TimeSpan.FromMinutes(20);

    public static async Task RunAsync(BenchOptions options)
    {
        var workerDll = WorkerDll();
        using var scratch = new TempDirectory("breaker-bench");
        using var redis = new RedisServer();
        using var rcd = new RcloneServer();
        rcd.AddRemote("dead", "webdav", ("url", $"http://127.0.0.1:{FreePort.Next()}"));
        rcd.AddRemote("disk", "local");
        await Task.WhenAll(redis.StartAsync(), rcd.StartAsync());
        var source = scratch.Combine("in", "f.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        await File.WriteAllBytesAsync(source, new byte[1024]);

        var dead = new Dictionary<bool, DeadResult>();
        foreach (var enabled in new[] { true, false })
        {
            Console.WriteLine($"dead remote, breakers {(enabled ? "on" : "off")}: {DeadJobs} jobs …");
            dead[enabled] = await RunArmAsync(redis, rcd, workerDll, enabled, store => DeadRemoteAsync(store, scratch));
        }

        Console.WriteLine($"healthy path: warm-up, then {options.Jobs} jobs per run, breakers off/on/off/on …");
        await RunArmAsync(redis, rcd, workerDll, true, store => HealthyAsync(store, source, scratch.Combine("warm"), Math.Min(100, options.Jobs)));
        var healthy = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        foreach (var enabled in new[] { false, true, false, true })
        {
            var output = scratch.Combine($"out-{healthy[enabled].Count}-{enabled}");
            healthy[enabled].Add(await RunArmAsync(redis, rcd, workerDll, enabled, store => HealthyAsync(store, source, output, options.Jobs)));
        }

        Console.WriteLine();
        Console.WriteLine($"{"",-44}{"breakers on",14}{"breakers off",14}");
        Console.WriteLine($"{"dead remote: " + DeadJobs + " jobs resolved in (s)",-44}{dead[true].Format(),14}{dead[false].Format(),14}");
        Console.WriteLine($"{"  of which failed (ran) / waiting (breaker)",-44}{dead[true].Split(),14}{dead[false].Split(),14}");
        Console.WriteLine($"{"healthy: copyfile to disk:, jobs/s (mean of 2)",-44}{healthy[true].Average(),14:0.0}{healthy[false].Average(),14:0.0}");
        Console.WriteLine($"dead remote: breakers on resolve {dead[false].Seconds / dead[true].Seconds:0.0}× sooner (target ≤ 10 s); "
            + $"healthy path on/off = {healthy[true].Average() / healthy[false].Average():0.00}× (target ≥ 0.95×). "
            + $"Runs: on {string.Join(", ", healthy[true].Select(v => v.ToString("0.0", CultureInfo.InvariantCulture)))}; "
            + $"off {string.Join(", ", healthy[false].Select(v => v.ToString("0.0", CultureInfo.InvariantCulture)))} jobs/s.");
    }

    /// <summary>A clean Redis, <see cref="Workers"/> Worker processes with breakers on or off, the measurement, the Workers stopped.</summary>
    private static async Task<T> RunArmAsync<T>(RedisServer redis, RcloneServer rcd, string workerDll, bool breakers, Func<JobStore, Task<T>> measure)
    {
        redis.Cli("FLUSHALL");
        var workers = new List<ChildProcess>();
        try
        {
            for (var i = 0; i < Workers; i++)
            {
                workers.Add(await StartWorkerAsync(workerDll, redis, rcd, $"bench-{i}", breakers));
            }

            using var connection = new RedisConnection(redis.ConnectionString, new RedisKeys());
            return await measure(new JobStore(connection));
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Stop(TimeSpan.FromSeconds(20));
                worker.Dispose();
            }
        }
    }

    private static async Task<DeadResult> DeadRemoteAsync(JobStore store, TempDirectory scratch)
    {
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, DeadJobs).Select(i =>
            EnqueueAsync(store, JobType.Copy, "dead:dir", scratch.Combine("dead-out", i.ToString(CultureInfo.InvariantCulture)))));
        while (true)
        {
            var counts = await store.CountAsync(CancellationToken.None);
            var failed = counts.ByState["failed"];
            var waiting = counts.ByState.GetValueOrDefault("waiting");
            if (failed + waiting >= DeadJobs || watch.Elapsed > DeadTimeout)
            {
                return new DeadResult(watch.Elapsed.TotalSeconds, failed, waiting, failed + waiting >= DeadJobs);
            }

            await Task.Delay(50);
        }
    }

    private static async Task<double> HealthyAsync(JobStore store, string source, string output, int jobs)
    {
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, jobs).Select(i =>
            EnqueueAsync(store, JobType.CopyFile, source, $"disk:{output}/f{i:D6}.bin")));
        while (true)
        {
            var counts = await store.CountAsync(CancellationToken.None);
            var done = counts.ByState["succeeded"] + counts.ByState["failed"] + counts.ByState["canceled"];
            if (done >= jobs)
            {
                watch.Stop();
                if (counts.ByState["succeeded"] != jobs)
                {
                    throw new InvalidOperationException($"{jobs - counts.ByState["succeeded"]} healthy jobs did not succeed");
                }

                return jobs / watch.Elapsed.TotalSeconds;
            }

            await Task.Delay(20);
        }
    }

    private static Task EnqueueAsync(JobStore store, JobType type, string source, string destination) =>
        store.EnqueueAsync(JobStateMachine.Create(Guid.CreateVersion7().ToString("N"),
            new JobSubmission(type, source, destination, new JobOptions()), TimeProvider.System), CancellationToken.None);

    private static async Task<ChildProcess> StartWorkerAsync(string workerDll, RedisServer redis, RcloneServer rcd, string id, bool breakers)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var environment = new Dictionary<string, string?>(rcd.ServiceEnvironment())
        {
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["ASPNETCORE_URLS"] = url,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
            ["Worker__WorkerId"] = id,
            ["Breakers__Enabled"] = breakers ? "true" : "false",
            ["RCLONE_RETRY_ATTEMPTS"] = "1",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var worker = ChildProcess.Start("dotnet", [workerDll], environment, Path.GetDirectoryName(workerDll));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Wait.UntilAsync(async () => !worker.HasExited && (await http.GetAsync($"{url}/alive")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30), $"Worker {id}", () => worker.Output);
        return worker;
    }

    /// <summary>
    /// Where the Worker's build is: its own bin folder, in the bench's configuration and framework (the bench references the
    /// AppHost, which references the Worker, so building the bench builds it). The Aspire AppHost no longer records it.
    /// </summary>
    private static string WorkerDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // bench/Rcmd.Bench/bin/<configuration>/<tfm>
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rcmd.Aspire.sln")))
            {
                var dll = Path.Combine(dir.FullName, "Rcmd.Worker", "bin", output.Parent!.Name, output.Name, "Rcmd.Worker.dll");
                return File.Exists(dll) ? dll : throw new InvalidOperationException($"Rcmd.Worker is not built: {dll}");
            }
        }

        throw new InvalidOperationException("Rcmd.Aspire.sln not found above the bench");
    }

    private sealed record DeadResult(double Seconds, long Failed, long Waiting, bool Complete)
    {
        public string Format() => (Complete ? "" : "> ") + Seconds.ToString("0.0", CultureInfo.InvariantCulture);

        public string Split() => $"{Failed} / {Waiting}";
    }
}
