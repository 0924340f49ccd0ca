using Rcmd.Failures;

namespace Rcmd.Jobs;

/// <summary>
/// The job life cycle as pure functions: each takes a job and the clock and returns the changed job, or throws
/// <see cref="InvalidJobTransitionException"/> when the move is not allowed. Nothing here does I/O.
/// <code>
///   Queued ──Start──▶ Running ──Succeed──▶ Succeeded
///    │ │ ▲ ▲            │ │ │
///    │ │ │ └──Requeue───┘ │ └──Fail──▶ Failed ◀──Fail── Queued
///    │ │ │                │
///    │ │ └──Release── Waiting ◀──Defer (retry)
///    │ └────Defer (breaker)─▲
///    └──Cancel──▶ Canceled ◀──Cancel── Waiting, Running
///   Batches only: Running ──PartiallyFail──▶ PartiallyFailed;  PartiallyFailed, Canceled ──Resume──▶ Queued (canResume)
/// </code>
/// Waiting holds a job until <see cref="Job.Wait"/>'s due time: <see cref="Defer"/> from Running closes the attempt
/// with the failure that asked for a retry; from Queued (an open circuit breaker) no run was made.
/// </summary>
public static class JobStateMachine
{
    public static bool CanTransition(JobState from, JobState to) => (from, to) switch
    {
        (JobState.Queued, JobState.Running) => true,
        (JobState.Queued, JobState.Canceled) => true,
        (JobState.Queued, JobState.Failed) => true,
        (JobState.Running, JobState.Succeeded) => true,
        (JobState.Running, JobState.Failed) => true,
        (JobState.Running, JobState.Canceled) => true,
        (JobState.Running, JobState.Queued) => true,
        (JobState.Running, JobState.Waiting) => true,
        (JobState.Queued, JobState.Waiting) => true,
        (JobState.Waiting, JobState.Queued) => true,
        (JobState.Waiting, JobState.Canceled) => true,
        (JobState.Running, JobState.PartiallyFailed) => true,
        (JobState.PartiallyFailed, JobState.Queued) => true,
        (JobState.Canceled, JobState.Queued) => true,
        _ => false,
    };

    public static Job Create(string id, JobSubmission submission, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new Job
        {
            Id = id,
            Type = submission.Type,
            Source = submission.Source,
            Destination = submission.Type.HasDestination() ? submission.Destination : null,
            Options = submission.Options,
            State = JobState.Queued,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>A Worker claimed the job: a new attempt begins.</summary>
    public static Job Start(Job job, string workerId, TimeProvider time)
    {
        Ensure(job, JobState.Running);
        var now = time.GetUtcNow();
        return job with
        {
            State = JobState.Running,
            WorkerId = workerId,
            StartedAt = job.StartedAt ?? now,
            UpdatedAt = now,
            Progress = null,
            RcloneJobId = null,
            RclonePid = null,
            Attempts = [.. job.Attempts, new JobAttempt { Number = job.Attempts.Count + 1, StartedAt = now, WorkerId = workerId }],
        };
    }

    /// <summary>rclone accepted the run and gave it this id (in the rcd whose process id is <paramref name="rclonePid"/>).</summary>
    public static Job Launched(Job job, long rcloneJobId, TimeProvider time, long? rclonePid = null)
    {
        EnsureRunning(job);
        return job with { RcloneJobId = rcloneJobId, RclonePid = rclonePid ?? job.RclonePid, UpdatedAt = time.GetUtcNow() };
    }

    /// <summary>
    /// Another Worker takes over a running job whose Worker stopped renewing its lease: the rclone run goes on
    /// (same attempt, same rclone job id); only the Worker that watches it changes.
    /// </summary>
    public static Job Adopt(Job job, string workerId, TimeProvider time)
    {
        EnsureRunning(job);
        return job with { WorkerId = workerId, UpdatedAt = time.GetUtcNow() };
    }

    public static Job ReportProgress(Job job, JobProgress progress, TimeProvider time)
    {
        EnsureRunning(job);
        return job with { Progress = progress, UpdatedAt = time.GetUtcNow() };
    }

    public static Job Succeed(Job job, TimeProvider time)
    {
        Ensure(job, JobState.Succeeded);
        var now = time.GetUtcNow();
        return job with
        {
            State = JobState.Succeeded,
            FinishedAt = now,
            UpdatedAt = now,
            Error = null,
            Attempts = CloseLast(job.Attempts, now, null),
        };
    }

    public static Job Fail(Job job, JobError error, TimeProvider time)
    {
        Ensure(job, JobState.Failed);
        var now = time.GetUtcNow();
        return job with
        {
            State = JobState.Failed,
            FinishedAt = now,
            UpdatedAt = now,
            Error = error,
            Attempts = CloseLast(job.Attempts, now, error),
        };
    }

    /// <summary>A user asked to cancel a job a Worker is running; the Worker will stop it.</summary>
    public static Job RequestCancel(Job job, TimeProvider time)
    {
        EnsureRunning(job);
        return job with { CancelRequested = true, UpdatedAt = time.GetUtcNow() };
    }

    public static Job Cancel(Job job, TimeProvider time)
    {
        Ensure(job, JobState.Canceled);
        var now = time.GetUtcNow();
        var error = new JobError { Code = ErrorCodes.Canceled, Message = "Canceled by the user.", Retryable = false };
        return job with
        {
            State = JobState.Canceled,
            FinishedAt = now,
            UpdatedAt = now,
            Error = error,
            Wait = null,
            Attempts = CloseLast(job.Attempts, now, error),
            Batch = job.Batch is { } batch ? batch with { Running = 0, CanResume = batch.HasWorkLeft } : null,
        };
    }

    /// <summary>A running batch's counts changed (a checkpoint).</summary>
    public static Job ReportBatch(Job job, Batches.BatchSummary summary, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(summary);
        EnsureRunning(job);
        return job with { Batch = summary, UpdatedAt = time.GetUtcNow() };
    }

    /// <summary>
    /// A batch ended (or its stop rule stopped it) with items failed: terminal, resumable when
    /// <see cref="Batches.BatchSummary.CanResume"/>. <paramref name="error"/> sums up the failures.
    /// </summary>
    public static Job PartiallyFail(Job job, Batches.BatchSummary summary, JobError error, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(error);
        EnsureBatch(job);
        Ensure(job, JobState.PartiallyFailed);
        var now = time.GetUtcNow();
        return job with
        {
            State = JobState.PartiallyFailed,
            FinishedAt = now,
            UpdatedAt = now,
            Error = error,
            Batch = summary with { Running = 0 },
            Attempts = CloseLast(job.Attempts, now, error),
        };
    }

    /// <summary>
    /// A partially failed or canceled batch with work left goes back to the queue; it continues from its checkpoint.
    /// </summary>
    public static Job Resume(Job job, TimeProvider time)
    {
        EnsureBatch(job);
        if (job.State is not (JobState.PartiallyFailed or JobState.Canceled) || job.Batch is not { CanResume: true } batch)
        {
            throw new InvalidJobTransitionException(job.Id, job.State, JobState.Queued);
        }

        return job with
        {
            State = JobState.Queued,
            UpdatedAt = time.GetUtcNow(),
            FinishedAt = null,
            Error = null,
            WorkerId = null,
            CancelRequested = false,
            Wait = null,
            Batch = batch with { CanResume = false, StopReason = null, Running = 0 },
        };
    }

    /// <summary>The run was lost (its Worker or rclone went away) and the job may safely run again.</summary>
    public static Job Requeue(Job job, JobError reason, TimeProvider time)
    {
        EnsureFrom(job, JobState.Running, JobState.Queued);
        var now = time.GetUtcNow();
        return job with
        {
            State = JobState.Queued,
            UpdatedAt = now,
            WorkerId = null,
            RcloneJobId = null,
            RclonePid = null,
            Progress = null,
            Attempts = CloseLast(job.Attempts, now, reason),
        };
    }

    /// <summary>
    /// The job may not run before <paramref name="wait"/>'s due time. From Running (a retryable failure) the attempt is
    /// closed with <see cref="JobWait.Code"/> and <see cref="JobWait.Message"/>, and the run's handles are dropped; from
    /// Queued (the remote's circuit breaker is open) nothing ran, so no attempt changes.
    /// </summary>
    public static Job Defer(Job job, JobWait wait, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(wait);
        Ensure(job, JobState.Waiting);
        var now = time.GetUtcNow();
        var reason = wait.Code is null ? null : new JobError { Code = wait.Code, Message = wait.Message ?? wait.Code };
        return job with
        {
            State = JobState.Waiting,
            UpdatedAt = now,
            Wait = wait,
            WorkerId = null,
            RcloneJobId = null,
            RclonePid = null,
            CancelRequested = false,
            Attempts = job.State == JobState.Running ? CloseLast(job.Attempts, now, reason) : job.Attempts,
        };
    }

    /// <summary>The wait is over: the job goes back to the queue (see <see cref="Storage.JobStore.ReleaseDueAsync"/>).</summary>
    public static Job Release(Job job, TimeProvider time)
    {
        EnsureFrom(job, JobState.Waiting, JobState.Queued);
        return job with { State = JobState.Queued, UpdatedAt = time.GetUtcNow(), Wait = null };
    }

    private static IReadOnlyList<JobAttempt> CloseLast(IReadOnlyList<JobAttempt> attempts, DateTimeOffset now, JobError? error)
    {
        if (attempts.Count == 0 || attempts[^1].FinishedAt is not null)
        {
            return attempts;
        }

        var closed = attempts[^1] with { FinishedAt = now, ErrorCode = error?.Code, ErrorMessage = error?.Message };
        return [.. attempts.Take(attempts.Count - 1), closed];
    }

    private static void EnsureBatch(Job job)
    {
        if (job.Type != JobType.Batch || job.Batch is null)
        {
            throw new InvalidOperationException($"Job {job.Id} is a {job.Type.ToWire()} job, not a batch.");
        }
    }

    private static void EnsureRunning(Job job)
    {
        if (job.State != JobState.Running)
        {
            throw new InvalidJobTransitionException(job.Id, job.State, JobState.Running);
        }
    }

    /// <summary>For moves that share a target with another move: only this one source is allowed.</summary>
    private static void EnsureFrom(Job job, JobState from, JobState to)
    {
        if (job.State != from || !CanTransition(from, to))
        {
            throw new InvalidJobTransitionException(job.Id, job.State, to);
        }
    }

    private static void Ensure(Job job, JobState to)
    {
        if (!CanTransition(job.State, to))
        {
            throw new InvalidJobTransitionException(job.Id, job.State, to);
        }
    }
}

public sealed class InvalidJobTransitionException(string jobId, JobState from, JobState to)
    : InvalidOperationException($"Job {jobId} cannot go from {from.ToWire()} to {to.ToWire()}.")
{
    public JobState From { get; } = from;
    public JobState To { get; } = to;
}
