using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rcmd.Events;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Storage;
using Rcmd.Testing;
using Rcmd.Worker.Tests.Infrastructure;

namespace Rcmd.Worker.Tests.Services;

/// <summary>
/// Job-level retries against real failures: a real rcd copies from a real <c>rclone serve webdav</c> through a proxy
/// that answers the faults a test scripts (503, 429, 403, 500). rcd runs with one low-level retry, so each failing
/// run makes exactly one request (the listing) and fails — the retries seen here are Rcmd's, not rclone's.
/// </summary>
public sealed class RetryTests(RetryTests.Fixture fixture) : IClassFixture<RetryTests.Fixture>
{
    private WorkerFixture System => fixture.System;

    [Fact]
    public async Task Copy_EndpointFailsTwiceThenWorks_SucceedsOnTheThirdAttemptWithTheFirstTwoCodesRecorded()
    {
        var events = await fixture.RecordEventsAsync();
        var destination = System.Data.Combine("flaky-dst");
        fixture.Proxy.FailNext(
            new FaultProxy.Fault(503, "upstream is down"),
            new FaultProxy.Fault(429, "slow down; Retry-After: 1", RetryAfter: "1"));
        var faultsBefore = fixture.Proxy.Faults;

        var job = await System.EnqueueAsync(JobType.Copy, fixture.Source, destination);
        var done = await System.WaitForStateAsync(job.Id, JobState.Succeeded, TimeSpan.FromSeconds(30));

        Assert.Equal(3, done.Attempts.Count);
        Assert.Equal([1, 2, 3], done.Attempts.Select(a => a.Number));
        Assert.Equal(ErrorCodes.RateLimited, done.Attempts[0].ErrorCode); // issue 16: an upstream 503 is "unavailable for now"
        Assert.Contains("503 Service Unavailable", done.Attempts[0].ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.RateLimited, done.Attempts[1].ErrorCode);
        Assert.Contains("429 Too Many Requests", done.Attempts[1].ErrorMessage, StringComparison.Ordinal);
        Assert.Null(done.Attempts[2].ErrorCode);
        Assert.All(done.Attempts, a => Assert.NotNull(a.FinishedAt));
        Assert.All(done.Attempts.Zip(done.Attempts.Skip(1)), pair => Assert.True(pair.First.FinishedAt <= pair.Second.StartedAt));
        Assert.Null(done.Error);
        Assert.Null(done.Wait);
        Assert.Equal(2, fixture.Proxy.Faults - faultsBefore);
        Assert.Equal(3, (await System.RcdRunsOfAsync(job.Id)).Count);
        Assert.Equal(Directory.GetFiles(fixture.WebDavRoot).Select(Path.GetFileName).Order(), Directory.GetFiles(destination).Select(Path.GetFileName).Order());

        // Each retry was visible: a job-update with state waiting, its reason, code and due time, after the failed attempt.
        var waits = events.Where(e => e.Job!.Id == job.Id && e.Job.State == JobState.Waiting).Select(e => e.Job!).ToList();
        Assert.Equal(2, waits.Count);
        Assert.Equal([ErrorCodes.RateLimited, ErrorCodes.RateLimited], waits.Select(w => w.Wait!.Code));
        Assert.All(waits, w => Assert.Equal(JobWait.RetryReason, w.Wait!.Reason));
        Assert.All(waits, w => Assert.True(w.Wait!.DueAt > w.Attempts[^1].FinishedAt));
        // The 429's text carried "Retry-After: 1": the server's wait wins over the 300 ms backoff.
        Assert.InRange(waits[1].Wait!.DueAt - waits[1].Attempts[^1].FinishedAt!.Value, TimeSpan.FromMilliseconds(990), TimeSpan.FromMilliseconds(1000));
        Assert.Contains($"Job {job.Id} (copy) attempt 1 of 3 failed (error_code rate_limited)", fixture.Worker.Output, StringComparison.Ordinal);
        Assert.Contains($"Job {job.Id} (copy) attempt 2 of 3 failed (error_code rate_limited)", fixture.Worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_AccessDenied_FailsAfterOneAttemptWithoutRetry()
    {
        fixture.Proxy.FailAll(new FaultProxy.Fault(403, "forbidden"));
        try
        {
            var requestsBefore = fixture.Proxy.Requests;
            var job = await System.EnqueueAsync(JobType.Copy, fixture.Source, System.Data.Combine("denied-dst"));
            var failed = await System.WaitForStateAsync(job.Id, JobState.Failed, TimeSpan.FromSeconds(20));

            Assert.Equal(ErrorCodes.AccessDenied, failed.Error!.Code);
            Assert.False(failed.Error.Retryable);
            Assert.Contains(":webdav", failed.Error.Suggestion, StringComparison.Ordinal);
            var attempt = Assert.Single(failed.Attempts);
            Assert.Equal(ErrorCodes.AccessDenied, attempt.ErrorCode);
            Assert.Equal(1, fixture.Proxy.Requests - requestsBefore);
            // The log line is written right after the save that the test saw; give the output pipe a moment.
            var logLine = $"Job {job.Id} (copy) ended failed (error_code access_denied)";
            await Wait.UntilAsync(() => Task.FromResult(fixture.Worker.Output.Contains(logLine, StringComparison.Ordinal)),
                TimeSpan.FromSeconds(5), "the Worker's log line with the error code", () => fixture.Worker.Output);
        }
        finally
        {
            fixture.Proxy.Reset();
        }
    }

    [Fact]
    public async Task Cancel_WhileWaitingForTheRetry_CanceledAndNeverRunsAgain()
    {
        // rclone puts the server's text in its error: "Retry-After: 30" asks for a 30 s wait, which wins over the backoff.
        fixture.Proxy.FailNext(new FaultProxy.Fault(429, "Retry-After: 30", RetryAfter: "30"));
        var requestsBefore = fixture.Proxy.Requests;
        var job = await System.EnqueueAsync(JobType.Copy, fixture.Source, System.Data.Combine("cancel-wait-dst"));
        var waiting = await System.WaitForStateAsync(job.Id, JobState.Waiting, TimeSpan.FromSeconds(20));
        Assert.Equal(ErrorCodes.RateLimited, waiting.Wait!.Code);
        Assert.InRange(waiting.Wait.DueAt - waiting.Attempts[^1].FinishedAt!.Value, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(31));

        // What the Api does for POST /api/jobs/{id}/cancel on a waiting job.
        Assert.True(await System.Store.TryCancelWaitingAsync(waiting, JobStateMachine.Cancel(waiting, TimeProvider.System), CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var canceled = (await System.Store.GetAsync(job.Id, CancellationToken.None))!;
        Assert.Equal(JobState.Canceled, canceled.State);
        Assert.Null(canceled.Wait);
        Assert.Equal(ErrorCodes.RateLimited, Assert.Single(canceled.Attempts).ErrorCode);
        Assert.Equal(1, fixture.Proxy.Requests - requestsBefore);
        Assert.Single(await System.RcdRunsOfAsync(job.Id));
        Assert.Equal(0, (await System.Store.WaitingAsync(CancellationToken.None)).Count);
        Assert.Equal(0, await System.Queue.LengthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Copy_UnknownError_FailsOnceAndItsTextIsCapturedRedacted()
    {
        fixture.Proxy.FailAll(new FaultProxy.Fault(500, "backend exploded, token=abc123secret"));
        try
        {
            var job = await System.EnqueueAsync(JobType.Copy, fixture.Source, System.Data.Combine("unknown-dst"));
            var failed = await System.WaitForStateAsync(job.Id, JobState.Failed, TimeSpan.FromSeconds(20));

            Assert.Equal(ErrorCodes.Unknown, failed.Error!.Code);
            Assert.Single(failed.Attempts);
            Assert.DoesNotContain("abc123secret", failed.Error.Message, StringComparison.Ordinal);
            var directory = Path.Combine(fixture.DataDirectory, "logs", "rcloneerrors", "unknown");
            var file = Assert.Single(Directory.GetFiles(directory, "*.txt"));
            var text = await File.ReadAllTextAsync(file);
            Assert.Contains("500 Internal Server Error", text, StringComparison.Ordinal);
            Assert.Contains($"job {job.Id}", text, StringComparison.Ordinal);
            Assert.DoesNotContain("abc123secret", text, StringComparison.Ordinal);
        }
        finally
        {
            fixture.Proxy.Reset();
        }
    }

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly TempDirectory _webdavRoot = new("webdav");
        private WebDavServer? _webdav;

        public WorkerFixture System { get; } = new();

        public FaultProxy Proxy { get; private set; } = null!;

        public WorkerProcess Worker { get; private set; } = null!;

        /// <summary>The directory rclone serves over webdav (three small files).</summary>
        public string WebDavRoot => _webdavRoot.Path;

        /// <summary>The Worker's DATA_DIR (unknown-error capture).</summary>
        public string DataDirectory => System.Data.Combine("worker-data");

        /// <summary>The webdav share through the proxy, as an inline rclone path (no config, no credentials).</summary>
        public string Source => $":webdav,url='{Proxy.Url.ToString().TrimEnd('/')}':";

        public async Task InitializeAsync()
        {
            await System.InitializeAsync();
            // rcd's sync/copy has no --retries loop; one low-level retry makes each failing run exactly one request.
            await System.RcAsync("options/set", new JsonObject { ["main"] = new JsonObject { ["LowLevelRetries"] = 1 } });
            _webdav = new WebDavServer(_webdavRoot.Path);
            for (var i = 0; i < 3; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(_webdavRoot.Path, $"f{i}.txt"), $"file {i}\n");
            }

            await _webdav.StartAsync();
            Proxy = await FaultProxy.StartAsync(_webdav.Url);
            Worker = await System.StartWorkerAsync("retry", new Dictionary<string, string>
            {
                [RetrySettings.AttemptsVariable] = "3",
                [RetrySettings.BaseDelayVariable] = "300ms",
                [RetrySettings.MaxDelayVariable] = "2s",
                [RetrySettings.JitterRatioVariable] = "0.2",
                [UnknownErrorCaptureOptions.EnabledVariable] = "true",
                [UnknownErrorCaptureOptions.DataDirectoryVariable] = DataDirectory,
                ["Worker__WaitingPollInterval"] = "00:00:00.100",
            });
        }

        /// <summary>Copies of the job-update events from now on.</summary>
        public async Task<ConcurrentQueue<RcmdEvent>> RecordEventsAsync()
        {
            var events = new ConcurrentQueue<RcmdEvent>();
            var connection = new RedisConnection(System.Redis.ConnectionString, new RedisKeys());
            _connections.Add(connection);
            await connection.Subscriber.SubscribeInOrderAsync(StackExchange.Redis.RedisChannel.Literal(connection.Keys.EventsChannel), (_, message) =>
                events.Enqueue(JsonSerializer.Deserialize((string)message!, RcmdJsonContext.Default.RcmdEvent)!));
            return events;
        }

        private readonly List<RedisConnection> _connections = [];

        public async Task DisposeAsync()
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            if (Proxy is not null)
            {
                await Proxy.DisposeAsync();
            }

            _webdav?.Dispose();
            await System.DisposeAsync();
            _webdavRoot.Dispose();
        }
    }
}
