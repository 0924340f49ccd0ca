using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Notifications.Tests.Infrastructure;

/// <summary>
/// Moves jobs through their lives the way a Worker does — enqueue, claim, save Running, defer for a retry, release,
/// save the outcome — with the real <see cref="JobStore"/> and <see cref="JobQueue"/> against Redis and a fake clock,
/// so durations are exact.
/// </summary>
public sealed class JobDriver(JobStore store, JobQueue queue, FakeTimeProvider time, string workerId = "worker-1")
{
    private static CancellationToken Ct => TestTimeout.Token;

    public FakeTimeProvider Time => time;

    /// <summary>
    /// One job from submission to its end: <paramref name="retries"/> runs that fail retryably (each waits, is
    /// released and runs again), then a last run ending in <paramref name="outcome"/> (a failure with
    /// <paramref name="code"/>). The whole job takes <paramref name="durationMs"/> from its first start to its end.
    /// </summary>
    public async Task<Job> RunAsync(JobType type, JobState outcome, string? code = null, int durationMs = 1000, int retries = 0,
        string source = "/data/in", string? destination = "/data/out")
    {
        var job = JobStateMachine.Create(Guid.NewGuid().ToString("N"), new JobSubmission(type, source, type.HasDestination() ? destination : null, new JobOptions()), time);
        Assert.True(await store.EnqueueAsync(job, Ct));
        // 2·retries + 1 equal steps (runs and waits), the last one taking the remainder: the total is exact.
        var total = TimeSpan.FromMilliseconds(durationMs);
        var step = TimeSpan.FromTicks(total.Ticks / (2 * retries + 1));
        for (var run = 0; run <= retries; run++)
        {
            job = await StartAsync(job);
            time.Advance(run < retries ? step : total - 2 * retries * step);
            if (run < retries)
            {
                job = await RetryAsync(job, Failures.ErrorCodes.NetworkError, dueIn: step);
                job = await ReleaseAsync(job);
            }
        }

        return await FinishAsync(job, outcome, code);
    }

    public async Task<Job> StartAsync(Job queued)
    {
        Assert.Equal(queued.Id, await queue.TryClaimAsync(workerId, TimeSpan.FromMinutes(5), Ct));
        var running = JobStateMachine.Start(queued, workerId, time);
        Assert.Equal(SaveResult.Saved, await store.SaveAsync(running, JobState.Queued, null, Ct));
        return running;
    }

    public async Task<Job> RetryAsync(Job running, string code, TimeSpan dueIn)
    {
        var waiting = JobStateMachine.Defer(running, new JobWait
        {
            Reason = JobWait.RetryReason,
            DueAt = time.GetUtcNow() + dueIn,
            Code = code,
            Message = $"Attempt {running.Attempt} failed: connection reset",
        }, time);
        Assert.Equal(SaveResult.Saved, await store.DeferAsync(waiting, JobState.Running, workerId, Ct, leaseHolder: workerId));
        return waiting;
    }

    public async Task<Job> ReleaseAsync(Job waiting)
    {
        time.Advance(waiting.Wait!.DueAt - time.GetUtcNow());
        var released = await store.ReleaseDueAsync(time, 100, Ct);
        return Assert.Single(released.Released, j => j.Id == waiting.Id);
    }

    public async Task<Job> FinishAsync(Job running, JobState outcome, string? code = null)
    {
        var done = outcome switch
        {
            JobState.Succeeded => JobStateMachine.Succeed(running, time),
            JobState.Failed => JobStateMachine.Fail(running, new JobError { Code = code ?? Failures.ErrorCodes.Unknown, Message = $"failed with {code}" }, time),
            JobState.Canceled => JobStateMachine.Cancel(running, time),
            _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
        };
        Assert.Equal(SaveResult.Saved, await store.SaveAsync(done, JobState.Running, workerId, Ct));
        await queue.ReleaseAsync(done.Id, workerId, Ct);
        return done;
    }
}
