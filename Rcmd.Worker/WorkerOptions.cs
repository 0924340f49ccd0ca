using System.ComponentModel.DataAnnotations;

namespace Rcmd.Worker;

/// <summary>
/// How a Worker claims and watches jobs. Bound from the <c>Worker</c> section (<c>Worker__Concurrency=8</c>, …) and
/// validated when the host starts, so a bad value stops the Worker with a message instead of misbehaving later.
/// </summary>
public sealed class WorkerOptions : IValidatableObject
{
    public const string Section = "Worker";

    /// <summary>How many jobs this Worker runs in rclone at once. Default 4.</summary>
    [Range(1, 1000)]
    public int Concurrency { get; set; } = WorkerConstants.DefaultConcurrency;

    /// <summary>
    /// How long a claim on a job lasts without renewal. When a Worker dies, its jobs are recovered by another Worker
    /// this long after its last heartbeat. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = WorkerConstants.DefaultLeaseDuration;

    /// <summary>How often a Worker renews the lease of each job it runs; must be shorter than the lease. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:30:00")]
    public TimeSpan HeartbeatInterval { get; set; } = WorkerConstants.DefaultHeartbeatInterval;

    /// <summary>
    /// How often a running job's progress is read from rcd and, when it changed, saved and published — so a job sends
    /// at most one progress event per interval (2 per second by default). Default 500 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = WorkerConstants.DefaultPollInterval;

    /// <summary>How often the Worker looks for expired leases (jobs whose Worker died) to recover. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan LeaseCheckInterval { get; set; } = WorkerConstants.DefaultLeaseCheckInterval;

    /// <summary>
    /// The longest a dead Worker's job waits before another Worker takes it over: the lease runs out, then the next
    /// check. rcd must keep a finished run at least this long (<c>--rc-job-expire-duration</c>) for the taker to read
    /// its outcome.
    /// </summary>
    public TimeSpan TakeoverTime => LeaseDuration + LeaseCheckInterval;

    /// <summary>
    /// How often the Worker looks for waiting jobs (retries, open breakers) that are due, at most; it sleeps less when
    /// the next one is due sooner. Every Worker does this; each due job is queued again exactly once. Default 250 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan WaitingPollInterval { get; set; } = WorkerConstants.DefaultWaitingPollInterval;

    /// <summary>
    /// This Worker's name on leases and job records; unique per process. Default <c>&lt;hostname&gt;-&lt;pid&gt;</c>.
    /// </summary>
    [Required]
    [StringLength(200, MinimumLength = 1)]
    public string WorkerId { get; set; } = WorkerConstants.DefaultWorkerId;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HeartbeatInterval >= LeaseDuration)
        {
            yield return new ValidationResult(
                $"Worker:HeartbeatInterval ({HeartbeatInterval}) must be shorter than Worker:LeaseDuration ({LeaseDuration}).",
                [nameof(HeartbeatInterval), nameof(LeaseDuration)]);
        }
    }
}
