using Rcmd.Jobs;

namespace Rcmd.Storage;

/// <summary>What a state change means for the numbers: the one rule that metrics, stats and notifications share.</summary>
public enum JobTransitionKind
{
    /// <summary>Nothing to count (progress, adoption, a lost run requeued, a breaker wait, a release from waiting).</summary>
    None,

    /// <summary>Queued → Running: a run (attempt) began. <c>jobs_started_total</c>.</summary>
    Started,

    /// <summary>→ Succeeded, Failed or Canceled. <c>jobs_completed_total</c>, <c>jobs_duration_ms</c>.</summary>
    Completed,

    /// <summary>→ Waiting with reason <c>retry</c>: a run failed retryably and will run again. <c>jobs_retried_total</c>.</summary>
    Retried,
}

public static class JobTransitions
{
    /// <summary>The <c>error_code</c> label of outcomes that are not failures (failure-taxonomy.md: "none").</summary>
    public const string NoErrorCode = "none";

    public static JobTransitionKind Classify(JobState previous, Job next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (previous == next.State || previous.IsTerminal())
        {
            return JobTransitionKind.None;
        }

        return next.State switch
        {
            JobState.Running when previous == JobState.Queued => JobTransitionKind.Started,
            JobState.Succeeded or JobState.Failed or JobState.Canceled or JobState.PartiallyFailed => JobTransitionKind.Completed,
            JobState.Waiting when next.Wait?.Reason == JobWait.RetryReason => JobTransitionKind.Retried,
            _ => JobTransitionKind.None,
        };
    }

    /// <summary>The <c>error_code</c> of a completed job: its error's code when it failed, else <see cref="NoErrorCode"/>.</summary>
    public static string ErrorCode(Job job) =>
        job.State is JobState.Failed or JobState.PartiallyFailed ? job.Error?.Code ?? Failures.ErrorCodes.Unknown : NoErrorCode;

    /// <summary>
    /// How long a completed job took, from its first start to its end (retries and waits included); 0 for a job that
    /// ended without ever running (a failure found before the start), so every completion has a duration.
    /// </summary>
    public static double DurationMs(Job job) =>
        job.StartedAt is { } started && job.FinishedAt is { } finished && finished > started ? (finished - started).TotalMilliseconds : 0;
}
