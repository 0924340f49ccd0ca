using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Rcmd.Batches;
using Rcmd.Jobs;
using Rcmd.Schedules;
using Rcmd.Storage;
using Rcmd.Telemetry;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// 10,000 schedules stored (<c>--schedules N</c>): Redis memory they take, then one scheduler (the Worker's
/// <see cref="ScheduleDispatcher"/>, in this process, alone) running for <c>--minutes</c> (default 2): its CPU per
/// minute and the fire lag (due time → job created). Each schedule fires hourly at minute <c>i % 60</c>, so about
/// N/60 fire every minute, spread by 30 s of jitter; nothing runs the jobs (they only pile up in the queue).
/// </summary>
public static class ScheduleBench
{
    public static async Task RunAsync(BenchOptions options)
    {
        var count = options.Schedules;
        var minutes = options.Minutes > 5 ? 2 : options.Minutes;
        using var redis = new RedisServer();
        await redis.StartAsync();
        using var connection = new RedisConnection(redis.ConnectionString, new RedisKeys());
        await connection.PingAsync();
        var store = new ScheduleStore(connection);
        var before = UsedMemory(redis);

        var now = DateTimeOffset.UtcNow;
        var seeding = Stopwatch.StartNew();
        for (var start = 0; start < count; start += 500)
        {
            await Task.WhenAll(Enumerable.Range(start, Math.Min(500, count - start)).Select(async i =>
            {
                var schedule = new Schedule
                {
                    Id = Guid.CreateVersion7(now).ToString("N"),
                    Name = $"backup {i}",
                    Cron = $"{i % 60} * * * *",
                    TimeZone = i % 3 == 0 ? "Europe/Paris" : i % 3 == 1 ? "America/New_York" : "UTC",
                    Job = new JobRequest { Type = "sync", Source = $"/data/in/{i}", Destination = $"s3prod:bucket/out/{i}" },
                    Jitter = TimeSpan.FromSeconds(30),
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                var next = ScheduleTimetable.For(schedule).NextAfter(now);
                await store.CreateAsync(schedule, now, next is { } n ? SchedulePlanner.DueAt(schedule, n) : null, CancellationToken.None);
            }));
        }

        var after = UsedMemory(redis);
        Console.WriteLine($"{count} schedules stored in {seeding.Elapsed.TotalSeconds:0.0} s; Redis used_memory {before / 1024.0 / 1024:0.0} MiB -> "
            + $"{after / 1024.0 / 1024:0.0} MiB: {(after - before) / 1024.0 / 1024:0.0} MiB, {(after - before) / (double)count:0} bytes a schedule");

        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var jobs = new JobStore(connection);
        var dispatcher = new ScheduleDispatcher(store, new ScheduleFirer(jobs, new BatchStore(connection), TimeProvider.System), jobs,
            new ScheduleMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            Microsoft.Extensions.Options.Options.Create(new ScheduleOptions()), TimeProvider.System, NullLogger<ScheduleDispatcher>.Instance);

        using var run = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        try
        {
            while (!run.IsCancellationRequested)
            {
                var delay = await dispatcher.PassAsync(run.Token);
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, run.Token);
                }
            }
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var ids = await connection.Database.SortedSetRangeByRankAsync(connection.Keys.AllJobs);
        var fired = await jobs.GetManyAsync(ids.Select(v => (string)v!), CancellationToken.None);
        var schedules = new Dictionary<string, Schedule>(StringComparer.Ordinal);
        var lags = new List<double>(fired.Count);
        foreach (var job in fired)
        {
            var schedule = schedules.TryGetValue(job.ScheduleId!, out var s) ? s : schedules[job.ScheduleId!] = (await store.GetAsync(job.ScheduleId!, CancellationToken.None))!;
            var planned = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(job.Id[(job.Id.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture));
            lags.Add((job.CreatedAt - SchedulePlanner.DueAt(schedule, planned)).TotalMilliseconds);
        }

        lags.Sort();
        var perMinute = cpu.TotalSeconds / watch.Elapsed.TotalMinutes;
        Console.WriteLine($"scheduler over {watch.Elapsed.TotalMinutes:0.0} min: {fired.Count} fire times -> jobs, CPU {cpu.TotalSeconds:0.00} s "
            + $"({perMinute:0.00} CPU-s a minute, {100 * perMinute / 60:0.0} % of a core)");
        if (lags.Count > 0)
        {
            Console.WriteLine($"fire lag (due -> job created): p50 {lags[lags.Count / 2]:0} ms, p95 {lags[(int)(lags.Count * 0.95)]:0} ms, max {lags[^1]:0} ms");
        }
    }

    private static long UsedMemory(RedisServer redis)
    {
        var line = redis.Cli("INFO", "memory").Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal));
        return long.Parse(line["used_memory:".Length..].Trim(), CultureInfo.InvariantCulture);
    }
}
