using Microsoft.Extensions.Diagnostics.HealthChecks;
using Rcmd.Jobs;
using Rcmd.Notifications;
using Rcmd.Retention;
using Rcmd.Storage;
using Rcmd.Testing;
using StackExchange.Redis;

namespace Rcmd.Core.Tests.Retention;

/// <summary>Redis at <c>maxmemory</c> with <c>noeviction</c> (its own redis-server: the limit would disturb other tests).</summary>
public sealed class RedisFullTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static CancellationToken Ct => RetentionScope.Ct;

    [Fact]
    public async Task RedisFull_WritesRefusedWholeHealthDegraded_SweepFreesMemoryAndWritesResume()
    {
        using var s = new RetentionScope(redis.Server, new RetentionOptions { StepSize = 500 });
        var now = s.Time.GetUtcNow();
        for (var chunk = 0; chunk < 3000; chunk += 500)
        {
            await Task.WhenAll(Enumerable.Range(chunk, 500).Select(i =>
                s.AddAsync($"old{i}", JobState.Succeeded, now - TimeSpan.FromDays(20) + TimeSpan.FromSeconds(i))));
        }

        var running = await s.AddAsync("running", JobState.Running, now - TimeSpan.FromMinutes(5));
        var memory = new RedisMemory(s.Connection);
        var used = (await memory.ReadAsync(Ct)).UsedMemory;
        redis.Server.Cli("config", "set", "maxmemory-policy", "noeviction");
        redis.Server.Cli("config", "set", "maxmemory", (used - 200_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            var before = await s.Store.CountAsync(Ct);

            // A new job is refused whole: no record, no index entry, nothing queued.
            var fresh = new Job { Id = "new1", Type = JobType.Copy, Source = "/a", Destination = "/b", State = JobState.Queued, CreatedAt = now, UpdatedAt = now };
            var refused = await Assert.ThrowsAsync<RedisServerException>(() => s.Store.EnqueueAsync(fresh, Ct));
            Assert.True(RedisMemory.IsOutOfMemory(refused));
            Assert.Null(await s.Store.GetAsync("new1", Ct));
            var during = await s.Store.CountAsync(Ct);
            Assert.Equal(before.Total, during.Total);
            Assert.Equal(before.QueueLength, during.QueueLength);
            Assert.Equal(before.ByState, during.ByState);

            // A running job's final save is refused whole too (the Worker keeps it and saves again later).
            var done = running with { State = JobState.Succeeded, FinishedAt = now, UpdatedAt = now };
            await Assert.ThrowsAsync<RedisServerException>(() => s.Store.SaveAsync(done, JobState.Running, "w1", Ct));
            Assert.Equal(JobState.Running, (await s.Store.GetAsync("running", Ct))!.State);

            // /health says why; the alert is written once per episode even though Redis is full.
            var health = await new RedisHealthCheck(s.Connection, s.Time).CheckHealthAsync(new HealthCheckContext(), Ct);
            Assert.Equal(HealthStatus.Degraded, health.Status);
            Assert.Contains("out of memory", health.Description, StringComparison.Ordinal);
            Assert.False(await memory.ReportOutOfMemoryAsync(now, "test", Ct));
            Assert.Contains((await s.Notifications.RangeAsync(10_000, Ct)).Select(e => e.Parse()!.Event), e => e == NotificationTypes.RedisOutOfMemory);

            // The sweep still runs (its scripts may write when full) and frees the memory.
            var result = await s.Sweeper.SweepAsync("r", Ct);
            Assert.True(result.Completed, result.Error);
            Assert.Equal(3000, result.Archived);
            Assert.False((await memory.ReadAsync(Ct)).IsFull);

            Assert.True(await s.Store.EnqueueAsync(fresh, Ct));
            Assert.Equal(SaveResult.Saved, await s.Store.SaveAsync(done, JobState.Running, "w1", Ct));
            await s.AssertIndexesMatchRecountAsync(["new1", "running", .. Enumerable.Range(0, 3000).Select(i => $"old{i}")]);
        }
        finally
        {
            redis.Server.Cli("config", "set", "maxmemory", "0");
        }
    }
}
