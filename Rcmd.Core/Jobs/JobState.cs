using System.Text.Json.Serialization;
using Rcmd.Serialization;

namespace Rcmd.Jobs;

/// <summary>Where a job is in its life. Transitions live in <see cref="JobStateMachine"/>.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<JobState>))]
public enum JobState
{
    /// <summary>Accepted and waiting in the queue for a Worker.</summary>
    Queued,

    /// <summary>Claimed by a Worker, which holds its lease and runs it in rclone.</summary>
    Running,

    /// <summary>
    /// Not runnable until <see cref="Job.Wait"/>'s due time: a retry after a retryable failure, or a circuit breaker
    /// that is open for the job's remote. A scheduler in every Worker queues it again when it falls due.
    /// </summary>
    Waiting,

    /// <summary>Finished without error. Terminal.</summary>
    Succeeded,

    /// <summary>Finished with an error that is not retried (or whose retries ran out). Terminal.</summary>
    Failed,

    /// <summary>Stopped at a user's request. Terminal (a batch with work left may be resumed).</summary>
    Canceled,

    /// <summary>
    /// A batch that ended, or was stopped by its stop rule, with some items failed. Terminal but resumable: when
    /// <see cref="Batches.BatchSummary.CanResume"/> is set, resuming queues it again and it continues from its checkpoint.
    /// </summary>
    PartiallyFailed,
}

public static class JobStates
{
    public static IReadOnlyList<JobState> All { get; } = Enum.GetValues<JobState>();

    public static bool IsTerminal(this JobState state) =>
        state is JobState.Succeeded or JobState.Failed or JobState.Canceled or JobState.PartiallyFailed;

    public static string ToWire(this JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Waiting => "waiting",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Canceled => "canceled",
        JobState.PartiallyFailed => "partially_failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool TryParse(string? value, out JobState state)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }
}
