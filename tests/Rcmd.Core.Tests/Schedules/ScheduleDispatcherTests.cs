using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Rcmd.Batches;
using Rcmd.Core.Tests.Storage;
using Rcmd.Jobs;
using Rcmd.Schedules;
using Rcmd.Storage;
using Rcmd.Telemetry;
using Rcmd.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Rcmd.Core.Tests.Schedules;

/// <summary>Schedulers over a real Redis with a fake clock: claims, racing schedulers, takeover, policies, pause.</summary>
[Collection(RedisCollection.Name)]
public sealed class ScheduleDispatcherTests(RedisFixture redis) : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-05-01T10:00:00.5Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly StorageScope _s = new(redis);
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private static CancellationToken Ct => StorageScope.Ct;

    public void Dispose()
    {
        _metrics.Dispose();
        _s.Dispose();
    }

    [Fact]
    public async Task Pass_ThreeSchedulersRacingForAMinuteOfSeconds_EachFireTimeOneJob()
    {
        _s.Time.SetUtcNow(Start);
        var store = new ScheduleStore(_s.Connection);
        for (var i = 0; i < 20; i++)
        {
            await CreateAsync(store, $"s{i}", "* * * * * *", ScheduleOverlap.Parallel);
        }

        var schedulers = Enumerable.Range(0, 3).Select(_ => Dispatcher()).ToArray();
        for (var second = 0; second < 60; second++)
        {
            _s.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAll(schedulers.Select(d => Task.Run(() => d.PassAsync(Ct))));
        }

        var page = await _s.Store.ListAsync(new JobQuery(null, 1, JobQuery.MaxPageSize), Ct);
        var all = await AllJobsAsync();
        Assert.Equal(20 * 60, all.Count);
        Assert.Equal(all.Count, all.Select(j => j.Id).Distinct().Count());
        Assert.All(all, j => Assert.StartsWith("s", j.ScheduleId, StringComparison.Ordinal));
        var (runs, total) = await store.RunsAsync("s3", 1, 100, Ct);
        Assert.Equal(60, total);
        Assert.All(runs, r => Assert.Equal(ScheduleOutcomes.Started, r.Outcome));
        Assert.Equal(0, await store.FiringCountAsync(Ct));
        Assert.True(page.Total >= 1200);
    }

    [Fact]
    public async Task Pass_ClaimantDiedBeforeTheJob_AnotherSchedulerCreatesItOnceAfterTheLease()
    {
        _s.Time.SetUtcNow(Start);
        var store = new ScheduleStore(_s.Connection);
        var schedule = await CreateAsync(store, "k1", "0 * * * * *", ScheduleOverlap.Parallel);
        _s.Time.SetUtcNow(Start.AddSeconds(60));
        var planned = DateTimeOffset.Parse("2026-05-01T10:01:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var jobId = ScheduleFirer.JobIdFor("k1", planned);

        // The claim only, as a scheduler killed right after it would leave it.
        var claim = await store.ClaimAsync("k1", planned, ClaimAction.Fire, null, ScheduleStore.RunKey(planned),
            new ScheduleRun { PlannedAt = planned, JobId = jobId, Outcome = ScheduleOutcomes.Started }, jobId,
            _s.Time.GetUtcNow() + TimeSpan.FromSeconds(30), planned.AddMinutes(1), keepDue: false, _s.Time.GetUtcNow(), Ct);
        Assert.Equal(ClaimResult.Claimed, claim);

        var other = Dispatcher();
        await other.PassAsync(Ct);
        Assert.Null(await _s.Store.GetAsync(jobId, Ct)); // still leased to the dead claimant
        _s.Time.Advance(TimeSpan.FromSeconds(31));
        await other.PassAsync(Ct);
        await Dispatcher().PassAsync(Ct);

        var job = await _s.Store.GetAsync(jobId, Ct);
        Assert.NotNull(job);
        Assert.Equal(schedule.Id, job.ScheduleId);
        Assert.Equal(0, await store.FiringCountAsync(Ct));
        var jobs = await AllJobsAsync();
        Assert.Single(jobs, j => j.Id == jobId);
        Assert.DoesNotContain(jobs, j => j.Id != jobId && j.Id.EndsWith(planned.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pass_OverlapSkipWhilePreviousRuns_FireTimeSkipped()
    {
        _s.Time.SetUtcNow(Start);
        var store = new ScheduleStore(_s.Connection);
        await CreateAsync(store, "o1", "0 * * * * *", ScheduleOverlap.Skip);
        var dispatcher = Dispatcher();

        _s.Time.Advance(TimeSpan.FromSeconds(60));
        await dispatcher.PassAsync(Ct); // 10:01 fires; its job stays queued (no Worker)
        _s.Time.Advance(TimeSpan.FromSeconds(60));
        await dispatcher.PassAsync(Ct); // 10:02: previous still queued → skipped

        var (runs, _) = await store.RunsAsync("o1", 1, 10, Ct);
        Assert.Equal([ScheduleOutcomes.Skipped, ScheduleOutcomes.Started], runs.Select(r => r.Outcome));
        Assert.Single(await AllJobsAsync());
    }

    [Fact]
    public async Task Pass_OverlapQueueOne_HeldFireTimeRunsWhenThePreviousEnds()
    {
        _s.Time.SetUtcNow(Start);
        var store = new ScheduleStore(_s.Connection);
        await CreateAsync(store, "q1", "0 * * * * *", ScheduleOverlap.QueueOne);
        var dispatcher = Dispatcher();

        _s.Time.Advance(TimeSpan.FromSeconds(60));
        await dispatcher.PassAsync(Ct); // 10:01 fires
        _s.Time.Advance(TimeSpan.FromSeconds(60));
        await dispatcher.PassAsync(Ct); // 10:02 held
        _s.Time.Advance(TimeSpan.FromSeconds(60));
        await dispatcher.PassAsync(Ct); // 10:03 skipped (one is held already)
        Assert.Single(await AllJobsAsync());

        var first = Assert.Single(await AllJobsAsync());
        Assert.Equal(SaveResult.Saved, await _s.Store.SaveAsync(first with { State = JobState.Canceled, FinishedAt = _s.Time.GetUtcNow() }, JobState.Queued, null, Ct));
        await dispatcher.PassAsync(Ct);

        var jobs = await AllJobsAsync();
        Assert.Equal(2, jobs.Count);
        Assert.Contains(jobs, j => j.Id == ScheduleFirer.JobIdFor("q1", Start.AddSeconds(119.5)));
        var (runs, _) = await store.RunsAsync("q1", 1, 10, Ct);
        Assert.Equal([ScheduleOutcomes.Skipped, ScheduleOutcomes.Started, ScheduleOutcomes.Started], runs.Select(r => r.Outcome));
    }

    [Theory]
    [InlineData(ScheduleMissed.RunOnce, 1)]
    [InlineData(ScheduleMissed.Skip, 0)]
    [InlineData(ScheduleMissed.RunEach, 4)]
    public async Task Pass_AfterHoursOfDowntime_MissedPolicyApplies(ScheduleMissed missed, int expectedJobs)
    {
        _s.Time.SetUtcNow(Start);
        var store = new ScheduleStore(_s.Connection);
        await CreateAsync(store, "m1", "*/10 * * * *", ScheduleOverlap.Parallel, missed, cap: 4);

        _s.Time.Advance(TimeSpan.FromHours(5) + TimeSpan.FromMinutes(5)); // 30 fire times passed unseen
        var dispatcher = Dispatcher();
        await dispatcher.PassAsync(Ct);
        await dispatcher.PassAsync(Ct);

        Assert.Equal(expectedJobs, (await AllJobsAsync()).Count);
        Assert.Equal(0, await store.FiringCountAsync(Ct));
        // And nothing more until the next fire time.
        _s.Time.Advance(TimeSpan.FromMinutes(1));
        await dispatcher.PassAsync(Ct);
        Assert.Equal(expectedJobs, (await AllJobsAsync()).Count);
    }

    [Fact]
    public async Task Pass_PausedThenResumed_NothingFiresMeanwhileNorTwice()
    {
        _s.Time.SetUtcNow(Start);
        var store = new ScheduleStore(_s.Connection);
        var schedule = await CreateAsync(store, "p1", "0 * * * * *", ScheduleOverlap.Parallel);
        var dispatcher = Dispatcher();
        _s.Time.Advance(TimeSpan.FromSeconds(60));
        await dispatcher.PassAsync(Ct);

        Assert.True(await store.ReplaceAsync(schedule with { Paused = true }, _s.Time.GetUtcNow(), null, dropQueued: true, Ct));
        _s.Time.Advance(TimeSpan.FromMinutes(10));
        await dispatcher.PassAsync(Ct);
        Assert.Single(await AllJobsAsync());

        var now = _s.Time.GetUtcNow();
        Assert.True(await store.ReplaceAsync(schedule, now, ScheduleTimetable.For(schedule).NextAfter(now), dropQueued: false, Ct));
        _s.Time.Advance(TimeSpan.FromSeconds(60));
        await dispatcher.PassAsync(Ct);
        Assert.Equal(2, (await AllJobsAsync()).Count);
    }

    [Fact]
    public async Task Claim_SchedulerReadTheScheduleBeforeItWasPaused_PauseWins()
    {
        _s.Time.SetUtcNow(Start);
        var store = new ScheduleStore(_s.Connection);
        var schedule = await CreateAsync(store, "pp", "0 * * * * *", ScheduleOverlap.Parallel);
        Assert.True(await store.ReplaceAsync(schedule with { Paused = true }, Start, null, dropQueued: true, Ct));
        var planned = DateTimeOffset.Parse("2026-05-01T10:01:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var claim = await store.ClaimAsync("pp", planned, ClaimAction.Fire, null, ScheduleStore.RunKey(planned),
            new ScheduleRun { PlannedAt = planned, Outcome = ScheduleOutcomes.Started }, "job", planned.AddSeconds(30), planned.AddMinutes(1),
            keepDue: false, planned, Ct);

        Assert.Equal(ClaimResult.Gone, claim);
        Assert.Null(await _s.Connection.Database.SortedSetScoreAsync(_s.Keys.DueSchedules, "pp"));
    }

    [Fact]
    public async Task Pass_RedisRestartedMidway_NothingLostNothingTwice()
    {
        using var server = new RedisServer();
        await server.StartAsync();
        var keys = new RedisKeys("restart");
        using var connection = new RedisConnection(server.ConnectionString, keys);
        var store = new ScheduleStore(connection);
        var jobs = new JobStore(connection);
        _s.Time.SetUtcNow(Start);
        var schedule = SchedulePlannerTests.Make("* * * * * *", overlap: ScheduleOverlap.Parallel) with { Id = "r1", CreatedAt = Start };
        Assert.True(await store.CreateAsync(schedule, Start, Start.AddSeconds(0.5), Ct));
        var dispatcher = Dispatcher(connection);
        for (var i = 0; i < 10; i++)
        {
            _s.Time.Advance(TimeSpan.FromSeconds(1));
            await dispatcher.PassAsync(Ct);
        }

        server.Stop(); // SIGTERM: the AOF is flushed, as on an ordinary restart
        await server.StartAsync();
        await Rcmd.Testing.Wait.UntilAsync(async () =>
        {
            try
            {
                await connection.PingAsync();
                return true;
            }
            catch (StackExchange.Redis.RedisConnectionException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(15), "the client to reconnect");
        for (var i = 0; i < 10; i++)
        {
            _s.Time.Advance(TimeSpan.FromSeconds(1));
            await dispatcher.PassAsync(Ct);
        }

        var ids = await connection.Database.SortedSetRangeByRankAsync(keys.AllJobs);
        var fired = (await jobs.GetManyAsync(ids.Select(v => (string)v!), Ct)).Select(j => j.Id).Order(StringComparer.Ordinal).ToList();
        var expected = Enumerable.Range(1, 20).Select(s => ScheduleFirer.JobIdFor("r1", DateTimeOffset.Parse("2026-05-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture).AddSeconds(s)))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, fired);
    }

    [Fact]
    public async Task RunNow_BatchSchedule_BatchJobQueuedWithItsItems()
    {
        _s.Time.SetUtcNow(Start);
        var store = new ScheduleStore(_s.Connection);
        var schedule = SchedulePlannerTests.Make("0 0 1 1 *") with
        {
            Id = "b1",
            Job = null,
            Batch = new ScheduleBatch { Items = [new BatchItem { Op = BatchOp.CopyFile, Source = "/a/x.txt", Destination = "/b/x.txt" }] },
            CreatedAt = Start,
        };
        Assert.True(await store.CreateAsync(schedule, Start, null, Ct));

        var (run, job) = await Dispatcher().RunNowAsync(schedule, Ct);

        Assert.NotNull(job);
        Assert.Equal(JobType.Batch, job.Type);
        Assert.Equal("b1", job.ScheduleId);
        Assert.Equal(1, await new BatchStore(_s.Connection).ItemCountAsync(job.Id, Ct));
        Assert.True(run.Manual);
        var (runs, _) = await store.RunsAsync("b1", 1, 10, Ct);
        Assert.Equal(job.Id, Assert.Single(runs).JobId);
    }

    private async Task<Schedule> CreateAsync(ScheduleStore store, string id, string cron, ScheduleOverlap overlap,
        ScheduleMissed missed = ScheduleMissed.RunOnce, int cap = 10)
    {
        var schedule = SchedulePlannerTests.Make(cron, overlap: overlap, missed: missed, cap: cap) with { Id = id, CreatedAt = Start };
        var now = _s.Time.GetUtcNow();
        Assert.True(await store.CreateAsync(schedule, now, ScheduleTimetable.For(schedule).NextAfter(now), Ct));
        return schedule;
    }

    private ScheduleDispatcher Dispatcher(RedisConnection? connection = null)
    {
        connection ??= _s.Connection;
        var jobs = new JobStore(connection);
        var firer = new ScheduleFirer(jobs, new BatchStore(connection), _s.Time);
        return new ScheduleDispatcher(new ScheduleStore(connection), firer, jobs,
            new ScheduleMetrics(_metrics.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            MsOptions.Create(new ScheduleOptions()), _s.Time, NullLogger<ScheduleDispatcher>.Instance);
    }

    private async Task<List<Job>> AllJobsAsync()
    {
        var ids = await _s.Connection.Database.SortedSetRangeByRankAsync(_s.Keys.AllJobs);
        return [.. await _s.Store.GetManyAsync(ids.Select(v => (string)v!), Ct)];
    }
}
