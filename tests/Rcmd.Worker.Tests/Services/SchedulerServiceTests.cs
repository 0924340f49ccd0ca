using System.Globalization;
using Rcmd.Jobs;
using Rcmd.Schedules;
using Rcmd.Storage;
using Rcmd.Worker.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Rcmd.Worker.Tests.Services;

/// <summary>
/// Three Worker processes race over 200 schedules firing every second for a minute, with real Redis and rcd, and one
/// Worker is killed (SIGKILL) half-way: each fire time yields exactly one job, none is lost, and the lag stays low.
/// </summary>
public sealed class SchedulerServiceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int ScheduleCount = 200;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    private readonly WorkerFixture _system = new();

    public Task InitializeAsync() => _system.InitializeAsync();

    public Task DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task ThreeWorkers_200SchedulesEverySecondForAMinuteOneKilledMidway_EachFireTimeOnceNoLossLagLow()
    {
        var settings = new Dictionary<string, string>
        {
            ["Worker__Concurrency"] = "1",
            ["Schedules__FireLease"] = "00:00:03",
        };
        var workers = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => _system.StartWorkerAsync($"sched-{i}", settings)));
        using var redis = new RedisConnection(_system.Redis.ConnectionString, new RedisKeys());
        var store = new ScheduleStore(redis);
        var file = Path.Combine(_system.MakeFiles("sched-src", 1, size: 16), "file-000.bin");

        // Every schedule starts counting at the same second and ends a minute later: 60 fire times each.
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(2);
        var end = start + Window;
        for (var i = 0; i < ScheduleCount; i++)
        {
            var schedule = new Schedule
            {
                Id = $"race{i:D3}",
                Name = $"race {i}",
                Cron = "* * * * * *",
                TimeZone = "UTC",
                Job = new JobRequest { Type = "copyfile", Source = file, Destination = _system.Data.Combine("sched-dst", $"f{i}.bin"), Options = new JobOptions { DryRun = true } },
                Overlap = ScheduleOverlap.Parallel,
                EndAt = end,
                CreatedAt = now,
                UpdatedAt = now,
            };
            Assert.True(await store.CreateAsync(schedule, start, start.AddSeconds(1), CancellationToken.None));
        }

        // Kill one Worker mid-minute, while it is claiming fire times.
        await Task.Delay(start + Window / 2 - DateTimeOffset.UtcNow);
        workers[0].Kill();
        output.WriteLine($"killed {workers[0].WorkerId} at {DateTimeOffset.UtcNow:HH:mm:ss.fff}");

        // After the end (and the claim lease, for what the killed Worker had claimed): every fire time has its job.
        var expected = ScheduleCount * (int)Window.TotalSeconds;
        List<Job> jobs = [];
        await Task.Delay(end - DateTimeOffset.UtcNow);
        await Rcmd.Testing.Wait.UntilAsync(async () =>
        {
            jobs = await ScheduledJobsAsync(redis);
            return jobs.Count >= expected && await store.FiringCountAsync(CancellationToken.None) == 0;
        }, TimeSpan.FromSeconds(20), $"{expected} scheduled jobs", () => $"{jobs.Count} jobs");

        var byFireTime = jobs.GroupBy(j => j.Id).ToList();
        Assert.All(byFireTime, g => Assert.Single(g));
        Assert.Equal(expected, jobs.Count);
        foreach (var group in jobs.GroupBy(j => j.ScheduleId))
        {
            var planned = group.Select(j => PlannedOf(j.Id)).Order().ToList();
            Assert.Equal(Enumerable.Range(1, (int)Window.TotalSeconds).Select(s => start.AddSeconds(s)), planned);
            var (runs, total) = await store.RunsAsync(group.Key!, 1, 100, CancellationToken.None);
            Assert.Equal(Window.TotalSeconds, total);
            Assert.All(runs, r => Assert.Equal(ScheduleOutcomes.Started, r.Outcome));
        }

        var lags = jobs.Select(j => (j.CreatedAt - PlannedOf(j.Id)).TotalMilliseconds).Order().ToList();
        var p50 = lags[lags.Count / 2];
        var p95 = lags[(int)(lags.Count * 0.95)];
        output.WriteLine($"{jobs.Count} jobs for {expected} fire times; lag p50 {p50:F0} ms, p95 {p95:F0} ms, max {lags[^1]:F0} ms");
        var takenOver = workers.Skip(1).Sum(w => CountOf(w.Output, "taking over fire time"));
        output.WriteLine($"fire times taken over from the killed Worker: {takenOver}");
        Assert.True(p95 <= 1000, $"lag p95 {p95:F0} ms");
    }

    private static async Task<List<Job>> ScheduledJobsAsync(RedisConnection redis)
    {
        var ids = await redis.Database.SortedSetRangeByRankAsync(redis.Keys.AllJobs);
        var store = new JobStore(redis);
        return [.. (await store.GetManyAsync(ids.Select(v => (string)v!), CancellationToken.None)).Where(j => j.ScheduleId is not null)];
    }

    private static DateTimeOffset PlannedOf(string jobId) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(jobId[(jobId.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture));

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
