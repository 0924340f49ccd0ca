using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Notifications.Tests.Infrastructure;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Notifications.Tests.Storage;

/// <summary>The per-minute job outcome counters written by JobStore's guarded saves, read back by JobStatsStore.</summary>
[Collection(RedisCollection.Name)]
public sealed class JobStatsStoreTests(RedisFixture redis) : IDisposable
{
    private readonly StorageScope _s = new(redis);

    private static CancellationToken Ct => StorageScope.Ct;

    public void Dispose() => _s.Dispose();

    private JobStatsStore Stats => new(_s.Connection, _s.Time);

    [Fact]
    public async Task Query_MixedOutcomes_TotalsByTypeStatusCodeWithDurationsAndRetries()
    {
        await _s.Driver.RunAsync(JobType.Copy, JobState.Succeeded, durationMs: 1000);
        await _s.Driver.RunAsync(JobType.Copy, JobState.Succeeded, durationMs: 3000, retries: 2);
        await _s.Driver.RunAsync(JobType.Copy, JobState.Failed, ErrorCodes.NetworkError, durationMs: 500, retries: 1);
        await _s.Driver.RunAsync(JobType.Sync, JobState.Failed, ErrorCodes.NetworkError, durationMs: 700);
        await _s.Driver.RunAsync(JobType.Sync, JobState.Failed, ErrorCodes.AccessDenied, durationMs: 100);
        await _s.Driver.RunAsync(JobType.Delete, JobState.Canceled, durationMs: 200);

        var stats = await Stats.QueryAsync(TimeSpan.FromMinutes(15), Ct);

        Assert.Equal(
        [
            new JobOutcomeCount("copy", "failed", "network_error", 1, 500),
            new JobOutcomeCount("copy", "succeeded", "none", 2, 4000),
            new JobOutcomeCount("delete", "canceled", "none", 1, 200),
            new JobOutcomeCount("sync", "failed", "access_denied", 1, 100),
            new JobOutcomeCount("sync", "failed", "network_error", 1, 700),
        ], stats.Outcomes);
        Assert.Equal(new Dictionary<string, long> { ["copy"] = 6, ["delete"] = 1, ["sync"] = 2 }, stats.Started);
        Assert.Equal(new Dictionary<string, long> { ["copy"] = 3 }, stats.Retried);
        Assert.Equal(6, stats.Completed);
        Assert.Equal(3, stats.Failed);
        Assert.Equal(50.0, stats.FailureRatioPercent);
        Assert.Equal(100.0 * 3 / 9, stats.RetryPressurePercent, 10);
        Assert.Equal([KeyValuePair.Create("network_error", 2L), KeyValuePair.Create("access_denied", 1L)], stats.FailuresByCode);
        Assert.Equal(2000, stats.Outcomes.Single(o => o.Status == "succeeded").MeanDurationMs);
    }

    [Fact]
    public async Task Query_Window_OnlyMinutesInsideIt()
    {
        await _s.Driver.RunAsync(JobType.Copy, JobState.Failed, ErrorCodes.NetworkError);
        _s.Time.Advance(TimeSpan.FromMinutes(30));
        await _s.Driver.RunAsync(JobType.Copy, JobState.Succeeded);

        var last15 = await Stats.QueryAsync(TimeSpan.FromMinutes(15), Ct);
        var lastHour = await Stats.QueryAsync(TimeSpan.FromHours(1), Ct);

        Assert.Equal(["succeeded"], last15.Outcomes.Select(o => o.Status));
        Assert.Equal(["failed", "succeeded"], lastHour.Outcomes.Select(o => o.Status));
        Assert.Equal(TimeSpan.FromMinutes(15), last15.To - last15.From);
    }

    [Fact]
    public async Task Stats_MinuteHash_KeyedByMinuteWithEightDayTtl()
    {
        var job = await _s.Driver.RunAsync(JobType.Copy, JobState.Succeeded, durationMs: 1234);

        var key = _s.Keys.Stats(job.UpdatedAt);
        Assert.EndsWith(":stats:" + job.UpdatedAt.UtcDateTime.ToString("yyyyMMddHHmm", System.Globalization.CultureInfo.InvariantCulture), key);
        var ttl = await _s.Connection.Database.KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(8) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(8));
        Assert.Equal(1234, (long)await _s.Connection.Database.HashGetAsync(key, "ms|copy|succeeded|none"));
        Assert.Equal(1, (long)await _s.Connection.Database.HashGetAsync(key, "done|copy|succeeded|none"));
    }

    [Fact]
    public async Task Query_NothingRecorded_Empty()
    {
        var stats = await Stats.QueryAsync(TimeSpan.FromMinutes(5), Ct);

        Assert.Empty(stats.Outcomes);
        Assert.Equal(0, stats.FailureRatioPercent);
        Assert.Equal(0, stats.RetryPressurePercent);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(60 * 24 * 9)]
    public async Task Query_WindowOutOfRange_Throws(int minutes)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Stats.QueryAsync(TimeSpan.FromMinutes(minutes), Ct));
    }
}
