using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Api.Services;

/// <summary>
/// Cancels a job — the one way <c>POST /api/jobs/{id}/cancel</c> and rclone's <c>job/stop</c>/<c>job/stopgroup</c> do it.
/// A queued or waiting job is canceled at once, in one Redis script that also takes it out of the queue or the waiting
/// set; a running one (or one a Worker claimed meanwhile) gets a cancel request its Worker acts on.
/// </summary>
public sealed partial class JobCanceler(JobStore store, TimeProvider time, ILogger<JobCanceler> logger)
{
    public async Task<CancelOutcome> CancelAsync(string id, CancellationToken cancellationToken)
    {
        var job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);

        // A Worker (claim) or the scheduler (release) may move the job first; then read it again and go on.
        for (var tries = 0; tries < 3 && job is { State: JobState.Queued or JobState.Waiting }; tries++)
        {
            var canceled = JobStateMachine.Cancel(job, time);
            var done = job.State == JobState.Queued
                ? await store.TryCancelQueuedAsync(canceled, cancellationToken).ConfigureAwait(false)
                : await store.TryCancelWaitingAsync(job, canceled, cancellationToken).ConfigureAwait(false);
            if (done)
            {
                LogJobCanceled(logger, job.Id, job.Type.ToWire(), job.State.ToWire());
                return new CancelOutcome(CancelResult.Canceled, canceled);
            }

            job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        }

        if (job is null)
        {
            return new CancelOutcome(CancelResult.NotFound, null);
        }

        if (job.State.IsTerminal())
        {
            return new CancelOutcome(CancelResult.AlreadyEnded, job);
        }

        // Running, or claimed by a Worker that has not started it yet: the Worker that holds it sees the request and stops it.
        await store.RequestCancelAsync(job.Id, cancellationToken).ConfigureAwait(false);
        LogJobCancelRequested(logger, job.Id, job.Type.ToWire(), job.State.ToWire());
        return new CancelOutcome(CancelResult.Requested, job with { CancelRequested = true });
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Job {JobId} canceled while {JobState} ({JobType})")]
    private static partial void LogJobCanceled(ILogger logger, string jobId, string jobType, string jobState);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information,
        Message = "Job {JobId} cancel requested ({JobType}, {JobState}); its Worker will stop it")]
    private static partial void LogJobCancelRequested(ILogger logger, string jobId, string jobType, string jobState);
}

/// <summary>What a cancel did.</summary>
public enum CancelResult
{
    /// <summary>The job was queued or waiting and is canceled now.</summary>
    Canceled,

    /// <summary>The job is running: its Worker was asked to stop it.</summary>
    Requested,

    /// <summary>The job had ended already; nothing changed.</summary>
    AlreadyEnded,

    /// <summary>No such job.</summary>
    NotFound,
}

/// <summary>A cancel's result and the job as it stands after it (null when not found).</summary>
public sealed record CancelOutcome(CancelResult Result, Job? Job);
