namespace Rcmd.Worker;

/// <summary>
/// The Worker's log lines. Fields use the names every Rcmd service logs with: <c>job_id</c>, <c>job_type</c>,
/// <c>job_state</c>, <c>error_code</c>. Nothing here takes rcd's credentials or request headers.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Worker {worker_id} started; runs up to {concurrency} jobs at once")]
    public static partial void WorkerStarted(ILogger logger, string worker_id, int concurrency);

    [LoggerMessage(2, LogLevel.Information,
        "Worker {worker_id} stopping: {left_running} job(s) left running in rclone with their leases; another Worker adopts them when the leases expire (within {lease_seconds} s)")]
    public static partial void WorkerStopped(ILogger logger, string worker_id, int left_running, double lease_seconds);

    [LoggerMessage(3, LogLevel.Debug, "Claimed job {job_id}")]
    public static partial void JobClaimed(ILogger logger, string job_id);

    [LoggerMessage(4, LogLevel.Information, "Skipped job {job_id}: it is {job_state}, not queued")]
    public static partial void JobSkipped(ILogger logger, string job_id, string job_state);

    [LoggerMessage(5, LogLevel.Information, "Job {job_id} ({job_type}) attempt {attempt} started as rclone job {rclone_job_id}")]
    public static partial void JobStarted(ILogger logger, string job_id, string job_type, int attempt, long rclone_job_id);

    [LoggerMessage(6, LogLevel.Information, "Job {job_id} ({job_type}) ended {job_state} (error_code {error_code})")]
    public static partial void JobFinished(ILogger logger, string job_id, string job_type, string job_state, string error_code);

    [LoggerMessage(7, LogLevel.Warning, "Job {job_id} ({job_type}) could not be started in rclone (error_code {error_code})")]
    public static partial void LaunchFailed(ILogger logger, Exception exception, string job_id, string job_type, string error_code);

    [LoggerMessage(8, LogLevel.Information, "Job {job_id} ({job_type}): cancel requested, stopping rclone job {rclone_job_id}")]
    public static partial void StoppingRun(ILogger logger, string job_id, string job_type, long rclone_job_id);

    [LoggerMessage(9, LogLevel.Warning, "Job {job_id}: polling rclone failed; will try again")]
    public static partial void PollFailed(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(10, LogLevel.Warning, "Job {job_id}: renewing the lease failed; will try again")]
    public static partial void RenewFailed(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(11, LogLevel.Warning, "Job {job_id}: lease lost to another Worker; no longer touching the job")]
    public static partial void LeaseLost(ILogger logger, string job_id);

    [LoggerMessage(12, LogLevel.Information,
        "Job {job_id}: shutting down, left running in rclone; another Worker adopts it when the lease expires (within {lease_seconds} s)")]
    public static partial void LeftRunning(ILogger logger, string job_id, double lease_seconds);

    [LoggerMessage(13, LogLevel.Error, "Job {job_id}: unexpected failure; the job is recovered when its lease expires")]
    public static partial void JobCrashed(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(14, LogLevel.Warning, "Job {job_id} changed elsewhere (now {job_state}, worker {worker_id}); no longer touching it")]
    public static partial void JobChangedElsewhere(ILogger logger, string job_id, string job_state, string worker_id);

    [LoggerMessage(15, LogLevel.Warning, "Job {job_id}: saving failed; the next save carries the change")]
    public static partial void SaveFailed(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(16, LogLevel.Warning, "Job {job_id}: rcd's pid is unknown; recovery will rely on job/status alone")]
    public static partial void PidUnknown(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(17, LogLevel.Debug, "Job {job_id}: deleting the stats group failed")]
    public static partial void DeleteStatsFailed(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(18, LogLevel.Information, "Job {job_id} ({job_type}) queued again (error_code {error_code})")]
    public static partial void JobRequeued(ILogger logger, string job_id, string job_type, string error_code);

    [LoggerMessage(19, LogLevel.Information,
        "Job {job_id} ({job_type}) attempt {attempt} of {max_attempts} failed (error_code {error_code}); retrying at {due_at:O} (in {delay_ms} ms)")]
    public static partial void JobRetrying(ILogger logger, string job_id, string job_type, int attempt, int max_attempts, string error_code,
        DateTimeOffset due_at, double delay_ms);

    [LoggerMessage(22, LogLevel.Information, "rcd runs rclone {rclone_version}")]
    public static partial void RcloneVersion(ILogger logger, string rclone_version);

    [LoggerMessage(23, LogLevel.Warning, "rcd's rclone version could not be read yet; jobs are checked against it once it can")]
    public static partial void RcloneVersionUnknown(ILogger logger, Exception exception);

    [LoggerMessage(45, LogLevel.Warning,
        "rcd forgets a finished job after {rcd_job_expiry_s} s (--rc-job-expire-duration; RCMD_RCLONE_JOB_EXPIRE under ./rcmd run), "
        + "sooner than a dead Worker's jobs are taken over ({takeover_s} s: Worker:LeaseDuration + Worker:LeaseCheckInterval). "
        + "A run that ends just after its Worker dies is then gone before another Worker asks rcd: copies run again and "
        + "moves/deletes fail server_restarted (outcome unknown). Give rcd an expiry longer than {takeover_s} s.")]
    public static partial void RcdExpiryTooShort(ILogger logger, double rcd_job_expiry_s, double takeover_s);

    [LoggerMessage(24, LogLevel.Warning,
        "Job {job_id} ({job_type}) refused (error_code {error_code}): it needs {feature} (rclone v{minimum_version} or later); rcd runs {rclone_version}")]
    public static partial void JobIncompatible(ILogger logger, string job_id, string job_type, string error_code, string feature,
        string minimum_version, string rclone_version);

    [LoggerMessage(44, LogLevel.Warning, "Job {job_id} ({job_type}) refused by the path policy (error_code access_denied): {reason}")]
    public static partial void JobPathRefused(ILogger logger, string job_id, string job_type, string reason);

    [LoggerMessage(25, LogLevel.Critical, "The Worker cannot start: {reason}")]
    public static partial void InvalidConfiguration(ILogger logger, string reason);

    [LoggerMessage(26, LogLevel.Information, "Job {job_id} (error_code {error_code}): unclassified rclone error saved for triage in {directory}")]
    public static partial void UnknownErrorCaptured(ILogger logger, string job_id, string error_code, string directory);

    [LoggerMessage(20, LogLevel.Warning, "Claiming a job failed; will try again")]
    public static partial void ClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(21, LogLevel.Warning, "Subscribing to the wake channel failed; polling the queue every second instead")]
    public static partial void WakeSubscriptionFailed(ILogger logger, Exception exception);

    [LoggerMessage(30, LogLevel.Warning, "Looking for expired leases failed; will try again")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(31, LogLevel.Warning, "Job {job_id}: recovery failed; the lease expires and it is tried again")]
    public static partial void RecoveryFailed(ILogger logger, Exception? exception, string job_id);

    [LoggerMessage(32, LogLevel.Information, "Job {job_id} ({job_type}) claimed by {previous_worker} but never started: queued again")]
    public static partial void ClaimRecovered(ILogger logger, string job_id, string job_type, string previous_worker);

    [LoggerMessage(33, LogLevel.Information, "Job {job_id} ({job_type}) adopted from {previous_worker}: watching rclone job {rclone_job_id}")]
    public static partial void JobAdopted(ILogger logger, string job_id, string job_type, string previous_worker, long rclone_job_id);

    [LoggerMessage(34, LogLevel.Warning, "Job {job_id} ({job_type}) of {previous_worker}: its rclone run is gone")]
    public static partial void RunLost(ILogger logger, string job_id, string job_type, string previous_worker);

    [LoggerMessage(37, LogLevel.Warning,
        "Job {job_id} ({job_type}): rcd no longer knows rclone job {rclone_job_id} — it ended unwatched and rcd has forgotten it; its outcome is unknown")]
    public static partial void RunForgotten(ILogger logger, string job_id, string job_type, long rclone_job_id);

    [LoggerMessage(35, LogLevel.Information, "Job {job_id} ({job_type}) done waiting: queued again after {attempts} attempt(s)")]
    public static partial void JobReleased(ILogger logger, string job_id, string job_type, int attempts);

    [LoggerMessage(36, LogLevel.Warning, "Releasing waiting jobs that are due failed; will try again")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(40, LogLevel.Warning, "rcd call {rc_method} failed ({outcome}); retry {attempt} in {delay_ms} ms")]
    public static partial void RetryingRcdCall(ILogger logger, string rc_method, int attempt, double delay_ms, string outcome);

    [LoggerMessage(41, LogLevel.Error, "Circuit to rcd opened for {break_seconds} s after {outcome}")]
    public static partial void RcdCircuitOpened(ILogger logger, double break_seconds, string outcome);

    [LoggerMessage(42, LogLevel.Information, "Circuit to rcd closed")]
    public static partial void RcdCircuitClosed(ILogger logger);

    [LoggerMessage(43, LogLevel.Warning, "Redis is out of memory: job {JobId}'s {What} is kept in this Worker and saved again in {DelaySeconds} s")]
    public static partial void SaveOutOfMemory(ILogger logger, string jobId, string what, double delaySeconds);
}
