namespace Rcmd.Jobs;

/// <summary>
/// One rclone job as Rcmd records it. Redis holds the record of truth; rclone's own job ids are only a handle
/// to the run in progress. Instances are immutable: <see cref="JobStateMachine"/> returns changed copies.
/// </summary>
public sealed record Job
{
    public required string Id { get; init; }
    public required JobType Type { get; init; }

    /// <summary>An rclone path: <c>/data/in</c>, <c>remote:bucket/dir</c> or <c>:backend:path</c>.</summary>
    public required string Source { get; init; }

    /// <summary>An rclone path; null for jobs that have none (delete).</summary>
    public string? Destination { get; init; }

    public JobOptions Options { get; init; } = new();
    public required JobState State { get; init; }
    public JobProgress? Progress { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Every run of the job, oldest first.</summary>
    public IReadOnlyList<JobAttempt> Attempts { get; init; } = [];

    /// <summary>Why the job failed (or was canceled); null while it has not.</summary>
    public JobError? Error { get; init; }

    /// <summary>The Worker that holds the job while it runs.</summary>
    public string? WorkerId { get; init; }

    /// <summary>rclone's job id of the current run (rcd forgets it; Redis does not).</summary>
    public long? RcloneJobId { get; init; }

    /// <summary>
    /// The process id of the rcd that runs <see cref="RcloneJobId"/>. rclone job ids restart at 1 with each rcd, so a
    /// run is identified by both: a Worker recovering the job trusts the id only while rcd still has this pid.
    /// </summary>
    public long? RclonePid { get; init; }

    /// <summary>Set when a user asked to cancel a job that a Worker is running; the Worker stops the rclone job.</summary>
    public bool CancelRequested { get; init; }

    /// <summary>Why and until when the job waits; set only while it is <see cref="JobState.Waiting"/>.</summary>
    public JobWait? Wait { get; init; }

    /// <summary>
    /// Runs the job gets in all (the retry settings' attempts when it was created); null for jobs created before it
    /// was recorded.
    /// </summary>
    public int? MaxAttempts { get; init; }

    /// <summary>The job this one runs again ("Run again" on a failed or canceled job); null for a job submitted afresh.</summary>
    public string? RetryOf { get; init; }

    /// <summary>The schedule that started this job (Schedules/); null for a job submitted by hand.</summary>
    public string? ScheduleId { get; init; }

    /// <summary>Set for a job submitted through the rclone-RC-compatible surface (<c>/rc/</c>): its RC id and group.</summary>
    public RcOrigin? Rc { get; init; }

    /// <summary>
    /// A batch's counts and state (<see cref="JobType.Batch"/> only), written at each checkpoint; its items and their
    /// results live apart from the record (<see cref="Batches.BatchStore"/>).
    /// </summary>
    public Batches.BatchSummary? Batch { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the request that submitted the job, when it was traced: the Worker's run of the job
    /// continues that trace (<see cref="Telemetry.RcmdTelemetry.StartJobRun"/>).
    /// </summary>
    public string? TraceParent { get; init; }

    public int Attempt => Attempts.Count;
}

/// <summary>
/// Where an RC client's job came from: the numeric id <c>job/status</c> knows it by (never reused, kept in Redis) and the
/// client's <c>_group</c> (default <c>job/{id}</c>), as rclone's GUIs read it back from <c>core/stats</c>.
/// </summary>
public sealed record RcOrigin(long JobId, string Group);

/// <summary>Options a user may set on a job.</summary>
public sealed record JobOptions
{
    /// <summary>Ask rclone to report what it would do without changing anything.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// rclone settings for this job only (its <c>_config</c>, e.g. <c>{"Transfers": 8}</c>), by rclone's names, from the
    /// allowed list (<see cref="JobRcloneSettings.Config"/>); null when none.
    /// </summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Config { get; init; }

    /// <summary>rclone filters for this job (its <c>_filter</c>, e.g. <c>{"IncludeRule": ["*.jpg"]}</c>), allowed list <see cref="JobRcloneSettings.Filter"/>.</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Filter { get; init; }
}

/// <summary>Progress of a running job, read from rclone's <c>core/stats</c> for the job's stats group.</summary>
public sealed record JobProgress
{
    public long Bytes { get; init; }
    public long TotalBytes { get; init; }

    /// <summary>Bytes per second, averaged by rclone.</summary>
    public double Speed { get; init; }

    /// <summary>Seconds rclone expects the rest to take; null when it cannot tell.</summary>
    public double? EtaSeconds { get; init; }

    public long Transfers { get; init; }
    public long TotalTransfers { get; init; }
    public long Errors { get; init; }

    /// <summary>The file being transferred now, when there is one.</summary>
    public string? CurrentFile { get; init; }

    /// <summary>0–100, from bytes when rclone knows the total, else from file counts.</summary>
    public double Percent =>
        TotalBytes > 0 ? Math.Round(100.0 * Bytes / TotalBytes, 1)
        : TotalTransfers > 0 ? Math.Round(100.0 * Transfers / TotalTransfers, 1)
        : 0;
}

/// <summary>One run of a job in a Worker.</summary>
public sealed record JobAttempt
{
    public required int Number { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? WorkerId { get; init; }

    /// <summary>The failure code of this run; null while it runs or when it succeeded.</summary>
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
}

/// <summary>The error a job ended with, classified (see <see cref="Failures.ErrorCodes"/>).</summary>
public sealed record JobError
{
    public required string Code { get; init; }
    public required string Message { get; init; }
    public bool Retryable { get; init; }

    /// <summary>What a human could do about it (the classifier's suggestion); null when there is none.</summary>
    public string? Suggestion { get; init; }

    /// <summary>What decided the code (the classifier's evidence, e.g. <c>HTTP 503 + SlowDown (s3)</c>); null when unknown.</summary>
    public string? Evidence { get; init; }
}

/// <summary>
/// Why a <see cref="JobState.Waiting"/> job waits and when it may run again. A scheduler in every Worker moves it back
/// to the queue at <see cref="DueAt"/>.
/// </summary>
public sealed record JobWait
{
    /// <summary>The last run failed retryably; the job runs again after its backoff.</summary>
    public const string RetryReason = "retry";

    /// <summary>The circuit breaker of the job's remote is open; the job runs when it lets requests through again.</summary>
    public const string BreakerReason = "breaker";

    /// <summary><see cref="RetryReason"/> or <see cref="BreakerReason"/>.</summary>
    public required string Reason { get; init; }

    /// <summary>When the job goes back to the queue.</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary>The failure code that caused the wait (see <see cref="Failures.ErrorCodes"/>), when there is one.</summary>
    public string? Code { get; init; }

    /// <summary>
    /// Why, for people, secrets redacted: the failure's message for a retry (it is also the closed attempt's
    /// <see cref="JobAttempt.ErrorMessage"/>), "Remote X is temporarily unavailable…" for a breaker.
    /// </summary>
    public string? Message { get; init; }
}
