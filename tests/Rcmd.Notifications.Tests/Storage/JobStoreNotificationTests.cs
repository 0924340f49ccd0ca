using System.Collections.Concurrent;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Notifications.Tests.Infrastructure;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Notifications.Tests.Storage;

/// <summary>The notification entries and observer calls of JobStore's guarded saves, against a real redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class JobStoreNotificationTests(RedisFixture redis) : IDisposable
{
    private readonly RecordingObserver _observer = new();
    private StorageScope? _scope;

    private StorageScope S => _scope ??= new StorageScope(redis, _observer);

    private static CancellationToken Ct => StorageScope.Ct;

    public void Dispose() => _scope?.Dispose();

    [Fact]
    public async Task Save_Succeeded_OneJobCompletedEntryWithTheJob()
    {
        var job = await S.Driver.RunAsync(JobType.Copy, JobState.Succeeded, durationMs: 4200, source: "s3prod:bucket/in", destination: "/data/out");

        var entry = Assert.Single(await S.EntriesAsync());
        Assert.Equal(NotificationTypes.JobCompleted, entry.Event);
        Assert.Equal(job.UpdatedAt, entry.At);
        Assert.Equal(job.Id, entry.Get("jobId"));
        Assert.Equal("copy", entry.Get("type"));
        Assert.Equal("s3prod:bucket/in", entry.Get("source"));
        Assert.Equal("/data/out", entry.Get("destination"));
        Assert.Equal("s3prod", entry.Remote);
        Assert.Equal("local", entry.DestinationRemote);
        Assert.Equal("copy", entry.JobType);
        Assert.Equal("succeeded", entry.Get("state"));
        Assert.Equal("4200", entry.Get("durationMs"));
        Assert.Null(entry.Get("errorCode"));
    }

    [Fact]
    public async Task Save_Failed_JobFailedEntryWithErrorCodeAndMessage()
    {
        await S.Driver.RunAsync(JobType.Sync, JobState.Failed, ErrorCodes.AccessDenied);

        var entry = Assert.Single(await S.EntriesAsync());
        Assert.Equal(NotificationTypes.JobFailed, entry.Event);
        Assert.Equal("access_denied", entry.Get("errorCode"));
        Assert.Equal("failed with access_denied", entry.Get("error"));
        Assert.Equal("sync", entry.JobType);
    }

    [Fact]
    public async Task Defer_Retry_JobRetryingEntryWithCodeAndDueTime()
    {
        var job = JobStateMachine.Create("r1", new JobSubmission(JobType.Copy, "/a", "/b", new JobOptions()), S.Time);
        await S.Store.EnqueueAsync(job, Ct);
        var running = await S.Driver.StartAsync(job);
        var waiting = await S.Driver.RetryAsync(running, ErrorCodes.UpstreamTimeout, TimeSpan.FromSeconds(8));

        var entry = Assert.Single(await S.EntriesAsync());
        Assert.Equal(NotificationTypes.JobRetrying, entry.Event);
        Assert.Equal("upstream_timeout", entry.Get("errorCode"));
        Assert.Equal("1", entry.Get("attempt"));
        Assert.Equal(waiting.Wait!.DueAt, DateTimeOffset.Parse(entry.Get("retryAt")!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Defer_Breaker_NoEntry()
    {
        var job = JobStateMachine.Create("b1", new JobSubmission(JobType.Copy, "s3:a", "/b", new JobOptions()), S.Time);
        await S.Store.EnqueueAsync(job, Ct);
        var waiting = JobStateMachine.Defer(job, new JobWait { Reason = JobWait.BreakerReason, DueAt = S.Time.GetUtcNow().AddMinutes(1) }, S.Time);

        Assert.Equal(SaveResult.Saved, await S.Store.DeferAsync(waiting, JobState.Queued, null, Ct));

        Assert.Empty(await S.EntriesAsync());
        var call = Assert.Single(_observer.Calls); // a change of state, but nothing to count
        Assert.Equal(JobTransitionKind.None, JobTransitions.Classify(call.Previous, call.Job));
    }

    [Fact]
    public async Task Save_CanceledOrProgress_NoEntry()
    {
        await S.Driver.RunAsync(JobType.Copy, JobState.Canceled);
        var job = JobStateMachine.Create("p1", new JobSubmission(JobType.Copy, "/a", "/b", new JobOptions()), S.Time);
        await S.Store.EnqueueAsync(job, Ct);
        var running = await S.Driver.StartAsync(job);
        Assert.Equal(SaveResult.Saved, await S.Store.SaveAsync(JobStateMachine.ReportProgress(running, new JobProgress { Bytes = 5 }, S.Time),
            JobState.Running, "worker-1", Ct));

        Assert.Empty(await S.EntriesAsync());
    }

    [Fact]
    public async Task Save_SameChangeTwice_SecondIsConflictAndAddsNothing()
    {
        var job = JobStateMachine.Create("twice", new JobSubmission(JobType.Copy, "/a", "/b", new JobOptions()), S.Time);
        await S.Store.EnqueueAsync(job, Ct);
        var running = await S.Driver.StartAsync(job);
        var failed = JobStateMachine.Fail(running, new JobError { Code = ErrorCodes.NetworkError, Message = "reset" }, S.Time);

        Assert.Equal(SaveResult.Saved, await S.Store.SaveAsync(failed, JobState.Running, "worker-1", Ct));
        Assert.Equal(SaveResult.Conflict, await S.Store.SaveAsync(failed, JobState.Running, "worker-1", Ct));

        Assert.Single(await S.EntriesAsync());
        Assert.Equal([(JobState.Queued, JobState.Running), (JobState.Running, JobState.Failed)], _observer.Calls.Select(c => (c.Previous, c.Job.State)));
    }

    [Fact]
    public async Task Save_ManyWorkersRaceForTheSameChange_ExactlyOneEntryAndOneObserverCall()
    {
        var job = JobStateMachine.Create("race", new JobSubmission(JobType.Copy, "/a", "/b", new JobOptions()), S.Time);
        await S.Store.EnqueueAsync(job, Ct);
        var running = await S.Driver.StartAsync(job);
        var observers = Enumerable.Range(0, 8).Select(_ => new RecordingObserver()).ToArray();
        var stores = observers.Select(o => (Store: new JobStore(new RedisConnection(redis.Server.ConnectionString, S.Keys), [o]), Observer: o)).ToArray();

        var results = await Task.WhenAll(stores.Select(s => Task.Run(() =>
            s.Store.SaveAsync(JobStateMachine.Succeed(running, S.Time), JobState.Running, "worker-1", Ct))));

        Assert.Single(results, r => r == SaveResult.Saved);
        Assert.Single(await S.EntriesAsync());
        Assert.Equal(1, observers.Sum(o => o.Calls.Count));
    }

    [Fact]
    public async Task Save_ObserverThrows_SaveStillSucceeds()
    {
        using var scope = new StorageScope(redis, new ThrowingObserver());

        var job = await scope.Driver.RunAsync(JobType.Copy, JobState.Succeeded);

        Assert.Equal(JobState.Succeeded, (await scope.Store.GetAsync(job.Id, Ct))!.State);
    }

    [Fact]
    public async Task Observer_FullLifeWithRetry_SeesEachStateChangeOnce()
    {
        await S.Driver.RunAsync(JobType.Move, JobState.Succeeded, retries: 1);

        // Waiting → Queued (the release) is the scheduler's script, not a guarded save: not observed.
        Assert.Equal(
            [(JobState.Queued, JobState.Running), (JobState.Running, JobState.Waiting), (JobState.Queued, JobState.Running), (JobState.Running, JobState.Succeeded)],
            _observer.Calls.Select(c => (c.Previous, c.Job.State)));
        Assert.Equal([NotificationTypes.JobRetrying, NotificationTypes.JobCompleted], (await S.EntriesAsync()).Select(e => e.Event));
    }

    [Fact]
    public async Task Entry_InlineRemoteWithCredentials_PathsRedacted()
    {
        await S.Driver.RunAsync(JobType.Copy, JobState.Failed, ErrorCodes.InvalidCredentials,
            source: ":s3,access_key_id=AKIAABCDEFGHIJKLMNOP,secret_access_key=verysecretvalue:bucket/in");

        var entry = Assert.Single(await S.EntriesAsync());
        var raw = (await S.Stream.RangeAsync(10, Ct)).Single().Fields["data"];
        Assert.DoesNotContain("verysecretvalue", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAABCDEFGHIJKLMNOP", raw, StringComparison.Ordinal);
        Assert.Equal(":s3", entry.Remote);
    }

    private sealed class RecordingObserver : IJobTransitionObserver
    {
        public ConcurrentQueue<(JobState Previous, Job Job)> Calls { get; } = new();

        public void OnTransition(JobState previous, Job job) => Calls.Enqueue((previous, job));
    }

    private sealed class ThrowingObserver : IJobTransitionObserver
    {
        public void OnTransition(JobState previous, Job job) => throw new InvalidOperationException("observer failed");
    }
}
