using Microsoft.Extensions.DependencyInjection;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Notifications.Tests.Infrastructure;
using Rcmd.Notifications.Tests.Storage;
using Rcmd.ServiceDefaults.Metrics;
using Rcmd.Storage;
using Rcmd.Telemetry;
using Rcmd.Testing;

namespace Rcmd.Notifications.Tests.Telemetry;

/// <summary>JobMetrics fed by JobStore's observer hook, read through the /metrics exposition.</summary>
[Collection(RedisCollection.Name)]
public sealed class JobMetricsTests(RedisFixture redis) : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Transitions_SucceedFailRetryCancel_SeedNamesAndLabels()
    {
        var factory = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var collector = new PrometheusCollector(factory, [RcmdTelemetry.MeterName]);
        var metrics = new JobMetrics(factory);
        using var s = new StorageScope(redis, metrics);

        await s.Driver.RunAsync(JobType.Copy, JobState.Succeeded, durationMs: 2000, retries: 1);
        await s.Driver.RunAsync(JobType.Copy, JobState.Failed, ErrorCodes.NetworkError, durationMs: 300);
        await s.Driver.RunAsync(JobType.Sync, JobState.Canceled, durationMs: 50);
        var text = collector.Scrape();

        Assert.Contains("jobs_started_total{type=\"copy\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("jobs_started_total{type=\"sync\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("jobs_retried_total{type=\"copy\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("jobs_completed_total{error_code=\"none\",status=\"succeeded\",type=\"copy\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("jobs_completed_total{error_code=\"network_error\",status=\"failed\",type=\"copy\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("jobs_completed_total{error_code=\"none\",status=\"canceled\",type=\"sync\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("jobs_duration_ms_sum{error_code=\"none\",status=\"succeeded\",type=\"copy\"} 2000\n", text, StringComparison.Ordinal);
        Assert.Contains("jobs_duration_ms_count{error_code=\"network_error\",status=\"failed\",type=\"copy\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("jobs_duration_ms_bucket{error_code=\"network_error\",status=\"failed\",type=\"copy\",le=\"250\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("jobs_duration_ms_bucket{error_code=\"network_error\",status=\"failed\",type=\"copy\",le=\"500\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("_total_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gauges_QueueAndBreakers_ReadFromRedis()
    {
        var factory = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var collector = new PrometheusCollector(factory, [RcmdTelemetry.MeterName]);
        using var s = new StorageScope(redis);
        var metrics = new JobMetrics(factory, s.Connection, s.Time);
        for (var i = 0; i < 3; i++)
        {
            await s.Store.EnqueueAsync(JobStateMachine.Create($"q{i}", new JobSubmission(JobType.Copy, "/a", "/b", new JobOptions()), s.Time), TestTimeout.Token);
        }

        await s.Connection.Database.SetAddAsync(s.Keys.Breakers, "s3prod");
        await s.Connection.Database.HashSetAsync(s.Keys.Breaker("s3prod"), "state", "open");

        await metrics.RefreshGaugesAsync(TestTimeout.Token);
        var text = collector.Scrape();

        Assert.Contains("jobs_queue_depth{state=\"queued\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("jobs_queue_depth{state=\"waiting\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("remote_breaker_state{remote=\"s3prod\",state=\"open\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("remote_breaker_state{remote=\"s3prod\",state=\"closed\"} 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_EachKindOfChange()
    {
        var time = new FakeTimeProvider();
        var queued = JobStateMachine.Create("c", new JobSubmission(JobType.Copy, "/a", "/b", new JobOptions()), time);
        var running = JobStateMachine.Start(queued, "w", time);

        Assert.Equal(JobTransitionKind.Started, JobTransitions.Classify(JobState.Queued, running));
        Assert.Equal(JobTransitionKind.None, JobTransitions.Classify(JobState.Running, running));
        Assert.Equal(JobTransitionKind.Completed, JobTransitions.Classify(JobState.Running, JobStateMachine.Succeed(running, time)));
        Assert.Equal(JobTransitionKind.Retried, JobTransitions.Classify(JobState.Running,
            JobStateMachine.Defer(running, new JobWait { Reason = JobWait.RetryReason, DueAt = time.GetUtcNow() }, time)));
        Assert.Equal(JobTransitionKind.None, JobTransitions.Classify(JobState.Queued,
            JobStateMachine.Defer(queued, new JobWait { Reason = JobWait.BreakerReason, DueAt = time.GetUtcNow() }, time)));
        Assert.Equal(JobTransitionKind.None, JobTransitions.Classify(JobState.Running,
            JobStateMachine.Requeue(running, new JobError { Code = "server_restarted", Message = "lost" }, time)));
    }
}
