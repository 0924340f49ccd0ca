using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rcmd.Batches;
using Rcmd.Jobs;
using Rcmd.Notifications;
using Rcmd.Retention;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// Retention figures on a real redis-server, with Rcmd.Core's stores and sweep in this process (no Api/Worker: the
/// figures are Redis's and the sweep's): bytes of Redis per stored job and per batch item and result; the sweep's rate
/// (jobs/s archived and deleted) and CPU (this process and redis-server); and a soak — <c>--jobs N</c> finished jobs
/// through JobStore's own scripts on a simulated clock (one simulated hour per round), retention at a few simulated hours,
/// a sweep each round — printing Redis's memory after each sweep and the list/count latency at the start and the end.
/// </summary>
public static class RetentionBench
{
    public static async Task RunAsync(BenchOptions options)
    {
        using var redis = new RedisServer();
        await redis.StartAsync();
        using var archive = new TempDirectory("bench-archive");
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var ct = CancellationToken.None;

        // 1. Bytes per stored job (the seeder's jobs: record + every index), and the sweep over all of them.
        var keys = new RedisKeys();
        using (var connection = new RedisConnection(redis.ConnectionString, keys))
        {
            var memory = new RedisMemory(connection);
            var before = (await memory.ReadAsync(ct)).UsedMemory;
            await JobSeeder.SeedAsync(redis.ConnectionString, options.StoredJobs);
            var after = (await memory.ReadAsync(ct)).UsedMemory;
            Console.WriteLine($"stored jobs        {options.StoredJobs,10}   {(after - before) / (double)options.StoredJobs,8:0} bytes of Redis per job");

            var time = new SimulatedClock(DateTimeOffset.UtcNow);
            var sweeper = Sweeper(connection, services, archive.Path, time, new RetentionOptions { Succeeded = TimeSpan.FromDays(1), Failed = TimeSpan.FromDays(1), StepSize = 500 });
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var redisCpu = RedisCpuSeconds(redis);
            var watch = Stopwatch.StartNew();
            var result = await sweeper.SweepAsync("bench", ct);
            var seconds = watch.Elapsed.TotalSeconds;
            var benchCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var archiveBytes = Directory.EnumerateFiles(archive.Path).Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"sweep              {result.Archived,10} jobs in {seconds:0.0} s = {result.Archived / seconds,6:0} jobs/s; CPU: sweep {benchCpu:0.0} s " +
                $"({benchCpu / seconds * 100:0} % of a core), redis-server {RedisCpuSeconds(redis) - redisCpu:0.0} s; archive {archiveBytes / (double)result.Archived:0} bytes/job gzipped");
            Console.WriteLine($"after the sweep    {(await memory.ReadAsync(ct)).UsedMemory / 1048576.0,10:0.0} MiB used (tombstones kept: {(await new RetentionStore(connection).StateAsync(ct)).ArchivedIdsKept})");
        }

        // 2. Bytes per batch item (the item list) and per item result (result hash + state index + counters).
        using (var connection = new RedisConnection(redis.ConnectionString, new RedisKeys("bb")))
        {
            var memory = new RedisMemory(connection);
            var batches = new BatchStore(connection);
            var items = Math.Min(options.Items, 100_000);
            var before = (await memory.ReadAsync(ct)).UsedMemory;
            for (var start = 0; start < items; start += BatchStore.ChunkSize)
            {
                await batches.StageItemsAsync("b1", [.. Enumerable.Range(start, Math.Min(BatchStore.ChunkSize, items - start))
                    .Select(i => new BatchItem { Op = BatchOp.CopyFile, Source = $"s3src:bucket/dir/file{i:D7}.bin", Destination = $"/data/out/file{i:D7}.bin" })], ct);
            }

            await batches.CommitItemsAsync("b1", items, false, ct);
            var afterItems = (await memory.ReadAsync(ct)).UsedMemory;
            for (var start = 0; start < items; start += BatchStore.ChunkSize)
            {
                await batches.RecordManyAsync("b1", [.. Enumerable.Range(start, Math.Min(BatchStore.ChunkSize, items - start)).Select(i => new BatchRecord(i,
                    new BatchItemResult { State = i % 50 == 0 ? BatchItemState.Failed : BatchItemState.Succeeded, Code = i % 50 == 0 ? "not_found" : null, Attempts = 1 }))], ct);
            }

            var afterResults = (await memory.ReadAsync(ct)).UsedMemory;
            Console.WriteLine($"batch items        {items,10}   {(afterItems - before) / (double)items,8:0} bytes per item, {(afterResults - afterItems) / (double)items:0} bytes per item result");
        }

        // 3. The soak.
        using (var connection = new RedisConnection(redis.ConnectionString, new RedisKeys("soak")))
        {
            var memory = new RedisMemory(connection);
            var store = new JobStore(connection);
            var time = new SimulatedClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var sweeper = Sweeper(connection, services, archive.Combine("soak"), time,
                new RetentionOptions { Succeeded = TimeSpan.FromHours(6), Failed = TimeSpan.FromHours(12), StepSize = 500, ArchivedLinks = TimeSpan.FromHours(24) });
            var perRound = 10_000;
            var rounds = Math.Max(1, options.Jobs / perRound);
            Console.WriteLine($"soak: {rounds * perRound} jobs, {perRound} per simulated hour, Succeeded 6 h, Failed 12 h (10 % fail), ArchivedLinks 24 h");
            Console.WriteLine($"{"round",6}{"jobs in",10}{"kept",9}{"used MiB",10}{"list ms",9}{"counts ms",10}{"sweep s",9}{"rss MiB",9}");
            var n = 0;
            for (var round = 1; round <= rounds; round++)
            {
                for (var chunk = 0; chunk < perRound; chunk += 1000)
                {
                    await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => AddFinishedAsync(store, connection, time.GetUtcNow().AddSeconds((chunk + i) * 0.36), n + chunk + i)));
                }

                n += perRound;
                time.Advance(TimeSpan.FromHours(1));
                await connection.Database.KeyDeleteAsync(connection.Keys.Queue);
                var watch = Stopwatch.StartNew();
                try
                {
                    await sweeper.SweepAsync("soak", ct);
                }
                catch (StackExchange.Redis.RedisTimeoutException)
                {
                    // A busy disk stalls redis-server's AOF; the Worker's service would sweep again at its next interval.
                    Console.WriteLine("  (sweep timed out waiting for Redis; it continues next round)");
                }

                var sweepSeconds = watch.Elapsed.TotalSeconds;
                watch.Restart();
                await store.ListAsync(new JobQuery(PageSize: 50) { State = JobState.Succeeded }, ct);
                var listMs = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                var counts = await store.CountAsync(ct);
                var countMs = watch.Elapsed.TotalMilliseconds;
                Console.WriteLine($"{round,6}{n,10}{counts.Total,9}{(await memory.ReadAsync(ct)).UsedMemory / 1048576.0,10:0.0}{listMs,9:0.0}{countMs,10:0.0}{sweepSeconds,9:0.0}" +
                    $"{Environment.WorkingSet / 1048576.0,9:0}");
            }
        }
    }

    private static async Task AddFinishedAsync(JobStore store, RedisConnection connection, DateTimeOffset created, int i)
    {
        var job = new Job
        {
            Id = $"soak{i:D8}", Type = JobType.CopyFile, Source = $"s3src:bucket/in/file{i}.bin", Destination = $"/data/out/file{i}.bin",
            State = JobState.Queued, CreatedAt = created, UpdatedAt = created, Options = new JobOptions { DryRun = true },
        };
        await store.EnqueueAsync(job, CancellationToken.None);
        var failed = i % 10 == 0;
        var finished = created.AddSeconds(2);
        await store.SaveAsync(job with
        {
            State = failed ? JobState.Failed : JobState.Succeeded, StartedAt = created.AddSeconds(1), FinishedAt = finished, UpdatedAt = finished,
            Attempts = [new JobAttempt { Number = 1, StartedAt = created.AddSeconds(1), FinishedAt = finished, WorkerId = "w1", ErrorCode = failed ? "not_found" : null }],
            Error = failed ? new JobError { Code = "not_found", Message = "object not found" } : null,
        }, JobState.Queued, null, CancellationToken.None, publish: false);
    }

    private static RetentionSweeper Sweeper(RedisConnection connection, IServiceProvider services, string directory, TimeProvider time, RetentionOptions options)
    {
        options.ArchiveTo = directory;
        var store = new RetentionStore(connection);
        return new RetentionSweeper(store, new BatchStore(connection), new DirectoryArchiveTarget(directory, store), Options.Create(options), time,
            new RetentionMetrics(services.GetRequiredService<IMeterFactory>()), new NotificationStream(connection), NullLogger<RetentionSweeper>.Instance);
    }

    private static double RedisCpuSeconds(RedisServer redis)
    {
        var info = redis.Cli("info", "cpu");
        return info.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("used_cpu_sys:", StringComparison.Ordinal) || l.StartsWith("used_cpu_user:", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.IndexOf(':') + 1)..], CultureInfo.InvariantCulture));
    }

    private sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
