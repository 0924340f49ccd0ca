using Rcmd.Telemetry;
using Microsoft.Extensions.Options;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Rclone;
using Rcmd.Storage;
using Rcmd.Worker.Rclone;

namespace Rcmd.Worker.Services;

/// <summary>
/// Runs one job in rcd and watches it to its end, for <see cref="JobRunnerService"/> (jobs this Worker claimed) and
/// <see cref="LeaseReaperService"/> (running jobs it adopted from a dead Worker). While it works on a job it renews
/// the job's lease every heartbeat; if the lease is lost (another Worker took it over) it stops touching the job at
/// once. On shutdown it stops watching and leaves the run going in rcd and the lease in place: another Worker adopts
/// the job when the lease expires. Every write is a guarded save (expected state and Worker), so a Worker that lost
/// a job can never overwrite the one that has it now.
/// <para>
/// Failures go through <see cref="JobErrors"/> (the shared classifier): a retryable one with runs left is deferred
/// (Waiting, due after the backoff or the server's Retry-After; <see cref="WaitingJobsService"/> queues it again),
/// anything else fails the job. A job that needs a feature the running rclone lacks is refused before it starts
/// (<c>transfer_engine_incompatible</c>).
/// </para>
/// </summary>
public sealed class JobExecutor(
    JobStore store,
    JobQueue queue,
    RcloneClient rclone,
    RclonePidCache pids,
    RcloneVersionCache versions,
    JobRetryPolicy retries,
    UnknownErrorCapture capture,
    ActiveJobs active,
    BreakerGate breakers,
    Batches.BatchRunner batches,
    Paths.PathPolicy paths,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<JobExecutor> logger)
{
    private WorkerOptions Options => options.Value;

    private string WorkerId => Options.WorkerId;

    /// <summary>Runs a job this Worker has just claimed (it holds the lease) from Queued to its end.</summary>
    /// <remarks>
    /// This Worker may claim a job it is still letting go of — it queued the job again itself (its rclone run was lost)
    /// and has not yet left it: the claim waits for that, and were it to wait a whole lease, puts the job back in the
    /// queue rather than drop it.
    /// </remarks>
    public async Task RunClaimedAsync(ClaimedJob claimed, CancellationToken stoppingToken)
    {
        var waited = time.GetTimestamp();
        while (active.Contains(claimed.Id))
        {
            if (time.GetElapsedTime(waited) >= Options.LeaseDuration)
            {
                await store.RequeueIdAsync(claimed.Id, stoppingToken, leaseHolder: WorkerId).ConfigureAwait(false);
                return;
            }

            await Task.Delay(WorkerConstants.FirstPollDelay, time, stoppingToken).ConfigureAwait(false);
        }

        using var span = claimed.Job is { } job ? RcmdTelemetry.StartJobRun(job) : null;
        await WithLeaseAsync(claimed.Id, token => RunClaimedCoreAsync(claimed, token), stoppingToken).ConfigureAwait(false);
    }

    /// <summary>Watches a running job this Worker adopted (lease taken over, record saved with this Worker) to its end.</summary>
    public Task WatchAdoptedAsync(Job job, CancellationToken stoppingToken) =>
        WithLeaseAsync(job.Id, token => WatchAsync(job, token), stoppingToken);

    /// <summary>
    /// rcd no longer knows the job's rclone run: it was lost (rcd restarted, or the Worker died before the run's id was
    /// recorded) or, in the same rcd, it ended unwatched longer ago than rcd keeps finished runs
    /// (<c>--rc-job-expire-duration</c>), so its outcome is unknown. Either way the job is resolved from its record
    /// alone: a job a user asked to cancel is canceled; an idempotent one is queued again; any other — it may have moved
    /// or deleted data — fails with <c>server_restarted</c> and is never run again. The caller holds the lease and the
    /// record names this Worker.
    /// </summary>
    public async Task RecoverLostRunAsync(Job job, CancellationToken cancellationToken)
    {
        var cancel = await store.IsCancelRequestedAsync(job.Id, cancellationToken).ConfigureAwait(false);
        var requeue = !cancel && job.Type.IsIdempotent();
        var forgotten = await EndedUnwatchedAsync(job, cancellationToken).ConfigureAwait(false);
        var error = forgotten ? JobErrors.RunForgotten(requeue) : JobErrors.ServerRestarted(requeue);
        var next = cancel ? JobStateMachine.Cancel(job, time)
            : requeue ? JobStateMachine.Requeue(job, error, time)
            : JobStateMachine.Fail(job, error, time);
        if (forgotten)
        {
            Log.RunForgotten(logger, job.Id, job.Type.ToWire(), job.RcloneJobId ?? 0);
            _ = DeleteStatsAsync(job.Id, RcloneCommands.Group(job)); // its figures, if rcd still has them, are no use now
        }

        if (!requeue)
        {
            await FinishAsync(next, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Saved Queued first, then queued and unleased in one step: a crash in between leaves a Queued record whose
        // lease expires, and the reaper queues it.
        if (await SaveOwnAsync(next, cancellationToken).ConfigureAwait(false))
        {
            await store.RequeueIdAsync(job.Id, cancellationToken, leaseHolder: WorkerId).ConfigureAwait(false);
            Log.JobRequeued(logger, job.Id, job.Type.ToWire(), ErrorCodes.ServerRestarted);
        }
    }

    /// <summary>Whether rcd still knows the job's run (running or finished) in the same rcd process that started it.</summary>
    public async Task<bool> IsRunKnownAsync(Job job, CancellationToken cancellationToken)
    {
        if (job.Type == JobType.Batch)
        {
            return true; // a batch's run is its checkpoint in Redis: the adopter continues it (BatchRunner)
        }

        if (job.RcloneJobId is not { } rcloneJobId)
        {
            return false;
        }

        if (job.RclonePid is { } launchedUnder && launchedUnder != await pids.GetAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            await rclone.JobStatusAsync(rcloneJobId, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RcloneException ex) when (IsJobNotFound(ex))
        {
            return false;
        }
    }

    /// <summary>
    /// Whether a run rcd does not know ended unwatched in the same rcd that started it (and rcd has since forgotten it):
    /// rcd drops only finished jobs, so a job id launched under the pid rcd still has cannot be running. False when the
    /// pid was not recorded or rcd cannot be asked now — the run is then taken as lost, which is resolved the same way.
    /// </summary>
    private async Task<bool> EndedUnwatchedAsync(Job job, CancellationToken cancellationToken)
    {
        if (job.RcloneJobId is null || job.RclonePid is not { } launchedUnder)
        {
            return false;
        }

        try
        {
            return launchedUnder == await pids.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            ForgetPidUnlessRcdAnswered(ex);
            return false;
        }
    }

    private async Task WithLeaseAsync(string id, Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        if (!active.TryAdd(id))
        {
            return;
        }

        using var jobToken = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var heartbeat = KeepLeaseAsync(id, jobToken);
        var completed = false;
        Exception? failure = null;
        try
        {
            await work(jobToken.Token).ConfigureAwait(false);
            completed = true;
        }
        catch (OperationCanceledException) when (jobToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        await jobToken.CancelAsync().ConfigureAwait(false);
        var leaseLost = await heartbeat.ConfigureAwait(false);
        active.Remove(id);

        if (failure is not null)
        {
            // The lease is no longer renewed: a reaper (maybe this Worker's) recovers the job once it expires.
            Log.JobCrashed(logger, failure, id);
        }
        else if (leaseLost)
        {
            Log.LeaseLost(logger, id);
        }
        else if (!completed && stoppingToken.IsCancellationRequested)
        {
            Log.LeftRunning(logger, id, Options.LeaseDuration.TotalSeconds);
        }
    }

    /// <summary>Renews the lease every heartbeat; cancels the job's token and returns true when the lease is lost.</summary>
    private async Task<bool> KeepLeaseAsync(string id, CancellationTokenSource jobToken)
    {
        using var timer = new PeriodicTimer(Options.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(jobToken.Token).ConfigureAwait(false))
            {
                try
                {
                    if (!await queue.RenewAsync(id, WorkerId, Options.LeaseDuration, jobToken.Token).ConfigureAwait(false))
                    {
                        await jobToken.CancelAsync().ConfigureAwait(false);
                        return true;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.RenewFailed(logger, ex, id);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return false;
    }

    private async Task RunClaimedCoreAsync(ClaimedJob claimed, CancellationToken cancellationToken)
    {
        var (id, job) = (claimed.Id, claimed.Job);
        if (job is null || job.State != JobState.Queued)
        {
            Log.JobSkipped(logger, id, job?.State.ToWire() ?? "missing");
            await queue.ReleaseAsync(id, WorkerId, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (job.Type == JobType.Batch)
        {
            await batches.RunClaimedAsync(job, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (claimed.CancelRequested)
        {
            var canceled = JobStateMachine.Cancel(job, time);
            if (await store.SaveAndReleaseAsync(canceled, JobState.Queued, null, WorkerId, clearCancelRequest: true, cancellationToken)
                .ConfigureAwait(false) == SaveResult.Saved)
            {
                Log.JobFinished(logger, id, job.Type.ToWire(), canceled.State.ToWire(), canceled.Error?.Code ?? ErrorCodes.None);
            }
            else
            {
                await queue.ReleaseAsync(id, WorkerId, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (await breakers.EnterAsync(job, cancellationToken).ConfigureAwait(false) is not { } breakerPass)
        {
            return; // a remote's circuit breaker is open: the job now waits for it, and this Worker no longer holds it
        }

        Job? launched = null;
        try
        {
            using (var launch = new CancellationTokenSource(WorkerConstants.LaunchTimeout))
            {
                // Not the stopping token: see WorkerConstants.LaunchTimeout.
                launched = await LaunchAsync(job, launch.Token).ConfigureAwait(false);
            }

            if (launched is not null)
            {
                await WatchAsync(launched, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Also when the watch ends by cancellation (a lease reported lost after the job was released, shutdown).
            await breakers.ExitAsync(breakerPass, launched is not null).ConfigureAwait(false);
        }
    }

    /// <summary>Queued → Running (saved), the run started in rcd, rclone's job id and rcd's pid saved. Null when it ended here.</summary>
    private async Task<Job?> LaunchAsync(Job job, CancellationToken cancellationToken)
    {
        if (await IncompatibilityAsync(job, cancellationToken).ConfigureAwait(false) is { } incompatible)
        {
            // Nothing ran: Queued → Failed without an attempt, and never retried.
            var refused = JobStateMachine.Fail(job, incompatible, time);
            if (await store.SaveAndReleaseAsync(refused, JobState.Queued, null, WorkerId, clearCancelRequest: false, cancellationToken)
                .ConfigureAwait(false) == SaveResult.Saved)
            {
                Log.JobFinished(logger, job.Id, job.Type.ToWire(), refused.State.ToWire(), incompatible.Code);
            }
            else
            {
                await queue.ReleaseAsync(job.Id, WorkerId, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }

        // A job that must not run twice (a move, a delete) is saved Running before rcd starts it, so a crash in between
        // leaves a record that says so (recovery then fails it with server_restarted rather than replaying it). One that
        // may run twice is saved once, after the start, with rclone's job id: a crash in between leaves it Queued with
        // a lease that expires, and it is simply queued again.
        var running = JobStateMachine.Start(job, WorkerId, time);
        var savedBeforeStart = !running.Type.IsIdempotent();
        if (savedBeforeStart && !await SaveStartedAsync(running, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var (method, parameters) = RcloneCommands.ForJob(running);
        long rcloneJobId;
        try
        {
            rcloneJobId = await rclone.StartAsync(method, parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ForgetPidUnlessRcdAnswered(ex);
            if (!savedBeforeStart && !await SaveStartedAsync(running, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var failure = JobErrors.FromException(ex, running);
            Log.LaunchFailed(logger, ex, job.Id, job.Type.ToWire(), failure.Code);
            Capture(failure, running, method);
            // rcd answered with an error: nothing started, a retry is safe. No answer (timeout, connection lost): rcd may
            // have started the run, so only a job that is safe to run twice is retried.
            await FailOrRetryAsync(running, failure, ex is RcloneException || running.Type.IsIdempotent(), cancellationToken)
                .ConfigureAwait(false);
            return null;
        }

        long? pid = null;
        try
        {
            pid = await pids.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Recovery then trusts job/status alone.
            Log.PidUnknown(logger, ex, job.Id);
        }

        var launched = JobStateMachine.Launched(running, rcloneJobId, time, pid);
        if (!savedBeforeStart)
        {
            if (!await SaveStartedAsync(launched, cancellationToken).ConfigureAwait(false))
            {
                // Not ours any more (the lease ran out and the job was queued again): its run here must not go on.
                await rclone.StopJobAsync(rcloneJobId, cancellationToken).ConfigureAwait(false);
                return null;
            }
        }
        else
        {
            try
            {
                if (!await SaveOwnAsync(launched, cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }
            }
            catch (Exception ex)
            {
                // Keep watching: the next save (progress or the end) carries the rclone job id too.
                Log.SaveFailed(logger, ex, job.Id);
            }
        }

        Log.JobStarted(logger, job.Id, job.Type.ToWire(), running.Attempt, rcloneJobId);
        return launched;
    }

    /// <summary>Queued → Running saved (the claim's record still Queued); false, with the lease released, when it changed.</summary>
    private async Task<bool> SaveStartedAsync(Job running, CancellationToken cancellationToken)
    {
        if (await store.SaveAsync(running, JobState.Queued, null, cancellationToken).ConfigureAwait(false) == SaveResult.Saved)
        {
            return true;
        }

        Log.JobSkipped(logger, running.Id, "changed");
        await queue.ReleaseAsync(running.Id, WorkerId, cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>Polls the run until it ends, saving progress (at most once per poll interval, only when it changed).</summary>
    private async Task WatchAsync(Job job, CancellationToken cancellationToken)
    {
        if (job.Type == JobType.Batch)
        {
            await batches.RunAdoptedAsync(job, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (job.RcloneJobId is not { } rcloneJobId)
        {
            await RecoverLostRunAsync(job, cancellationToken).ConfigureAwait(false);
            return;
        }

        var group = RcloneCommands.Group(job);
        var method = RcloneCommands.ForJob(job).Method;
        var stopping = false;
        var delay = WorkerConstants.FirstPollDelay;
        var lastProgressAt = time.GetTimestamp(); // the first progress after one poll interval: most short runs end before
        while (true)
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Options.PollInterval.Ticks));
            try
            {
                if (job.RclonePid is { } launchedUnder && launchedUnder != await pids.GetAsync(cancellationToken).ConfigureAwait(false))
                {
                    // A new rcd: its job ids start again at 1, so ours may now name somebody else's run.
                    await RecoverLostRunAsync(job, cancellationToken).ConfigureAwait(false);
                    return;
                }

                // Both questions at once: one round trip of waiting per poll, not two.
                var cancelRequested = stopping ? Task.FromResult(false) : store.IsCancelRequestedAsync(job.Id, cancellationToken);
                var polled = rclone.JobStatusAsync(rcloneJobId, cancellationToken);
                await Task.WhenAll(cancelRequested, polled).ConfigureAwait(false);
                var status = await polled.ConfigureAwait(false);
                if (status.Finished)
                {
                    await FinishRunAsync(job, status, method, group, stopping || await cancelRequested.ConfigureAwait(false), cancellationToken)
                        .ConfigureAwait(false);
                    return;
                }

                if (await cancelRequested.ConfigureAwait(false))
                {
                    Log.StoppingRun(logger, job.Id, job.Type.ToWire(), rcloneJobId);
                    await rclone.StopJobAsync(rcloneJobId, cancellationToken).ConfigureAwait(false);
                    stopping = true;
                }

                if (time.GetElapsedTime(lastProgressAt) >= Options.PollInterval)
                {
                    lastProgressAt = time.GetTimestamp();
                    var progress = ToProgress(await rclone.StatsAsync(group, cancellationToken).ConfigureAwait(false));
                    if (progress != job.Progress)
                    {
                        var updated = JobStateMachine.ReportProgress(job, progress, time);
                        if (!await SaveOwnAsync(updated, cancellationToken).ConfigureAwait(false))
                        {
                            return;
                        }

                        job = updated;
                    }
                }
            }
            catch (RcloneException ex) when (IsJobNotFound(ex))
            {
                await RecoverLostRunAsync(job, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // rcd or Redis hiccup: keep the lease, keep polling. A sick rcd shows on /health.
                ForgetPidUnlessRcdAnswered(ex);
                Log.PollFailed(logger, ex, job.Id);
            }
        }
    }

    private async Task FinishRunAsync(Job job, RcloneJobStatus status, string method, string group, bool stopping,
        CancellationToken cancellationToken)
    {
        try
        {
            job = JobStateMachine.ReportProgress(job, ToProgress(await rclone.StatsAsync(group, cancellationToken).ConfigureAwait(false)), time);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.PollFailed(logger, ex, job.Id);
        }

        // A run that succeeded stays a success even if a cancel came too late; only a failed one needs to know.
        var cancelRequested = stopping || (!status.Success && await store.IsCancelRequestedAsync(job.Id, cancellationToken).ConfigureAwait(false));
        bool saved;
        if (!status.Success && !cancelRequested)
        {
            var failure = JobErrors.FromRunError(method, status.Error, job);
            Capture(failure, job, method);
            saved = await FailOrRetryAsync(job, failure, retryAllowed: true, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var final = status.Success ? JobStateMachine.Succeed(job, time) : JobStateMachine.Cancel(job, time);
            saved = await FinishAsync(final, cancellationToken).ConfigureAwait(false);
        }

        if (saved)
        {
            // rcd's stats group of the run is of no more use; dropping it is tidying, off the job's path.
            _ = DeleteStatsAsync(job.Id, group);
        }
    }

    private async Task DeleteStatsAsync(string id, string group)
    {
        using var bound = new CancellationTokenSource(WorkerConstants.LaunchTimeout);
        try
        {
            await rclone.DeleteStatsAsync(group, bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.DeleteStatsFailed(logger, ex, id);
        }
    }

    /// <summary>Saves a job's final state, clears its cancel request and releases its lease (one script).</summary>
    /// <remarks>The cancel request is cleared on every end: one that came too late for a run is done with too.</remarks>
    private async Task<bool> FinishAsync(Job final, CancellationToken cancellationToken)
    {
        if (await SaveFinalRetryingAsync(final, cancellationToken).ConfigureAwait(false) != SaveResult.Saved)
        {
            await OnChangedElsewhereAsync(final, cancellationToken).ConfigureAwait(false);
            return false;
        }

        Log.JobFinished(logger, final.Id, final.Type.ToWire(), final.State.ToWire(), final.Error?.Code ?? ErrorCodes.None);
        return true;
    }

    /// <summary><see cref="JobStore.SaveFinalAsync"/>, saved again while Redis refuses it as out of memory.</summary>
    private Task<SaveResult> SaveFinalRetryingAsync(Job final, CancellationToken cancellationToken) =>
        SaveWhileOutOfMemoryAsync(final.Id, "final state",
            () => store.SaveFinalAsync(final, WorkerId, clearCancelRequest: true, cancellationToken), cancellationToken);

    /// <summary>
    /// <paramref name="save"/> (a job's end: final, or deferred for a retry), tried again every
    /// <see cref="OutOfMemoryRetryDelay"/> while Redis refuses it as out of memory (nothing of it was written): the Worker
    /// keeps the outcome until the sweep or an operator frees memory, and holds the job's lease meanwhile, so no other
    /// Worker takes it over — that would be a write too. (A progress save refused so is skipped: the next one carries it.)
    /// </summary>
    private async Task<T> SaveWhileOutOfMemoryAsync<T>(string jobId, string what, Func<Task<T>> save, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await save().ConfigureAwait(false);
            }
            catch (StackExchange.Redis.RedisServerException ex) when (RedisMemory.IsOutOfMemory(ex))
            {
                Log.SaveOutOfMemory(logger, jobId, what, OutOfMemoryRetryDelay.TotalSeconds);
                await Task.Delay(OutOfMemoryRetryDelay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How often a job's end refused by a full Redis is saved again. 2 s.</summary>
    private static readonly TimeSpan OutOfMemoryRetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A run failed: defers the job for a retry when the failure is retryable and runs are left (and
    /// <paramref name="retryAllowed"/>), else fails it. The lease is released either way. False when the record changed
    /// under this Worker.
    /// </summary>
    private async Task<bool> FailOrRetryAsync(Job running, JobFailure failure, bool retryAllowed, CancellationToken cancellationToken)
    {
        if (retryAllowed && retries.DelayBeforeRetry(running.Attempt, failure.Classification) is { } delay)
        {
            var wait = new JobWait
            {
                Reason = JobWait.RetryReason,
                DueAt = time.GetUtcNow() + delay,
                Code = failure.Code,
                Message = failure.Error.Message,
            };
            var waiting = JobStateMachine.Defer(running, wait, time);
            var result = await SaveWhileOutOfMemoryAsync(running.Id, "retry",
                () => store.DeferAsync(waiting, JobState.Running, WorkerId, cancellationToken, leaseHolder: WorkerId), cancellationToken)
                .ConfigureAwait(false);
            if (result != SaveResult.Saved)
            {
                await OnChangedElsewhereAsync(running, cancellationToken).ConfigureAwait(false);
                return false;
            }

            Log.JobRetrying(logger, running.Id, running.Type.ToWire(), running.Attempt, retries.Settings.Attempts, failure.Code,
                wait.DueAt, Math.Round(delay.TotalMilliseconds));
            return true;
        }

        return await FinishAsync(JobStateMachine.Fail(running, failure.Error, time), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// The feature the job needs and the running rclone lacks, as the job's error; null when it has them all or its
    /// version cannot be read now (the run then goes ahead: a sick rcd fails it anyway, with its own code).
    /// </summary>
    private async Task<JobError?> IncompatibilityAsync(Job job, CancellationToken cancellationToken)
    {
        // A job queued before the path policy (or by an older Api) meets its rules of both modes here, before rcd sees it.
        var refusals = paths.CheckAlwaysRules(job.Source, "Source")
            .Concat(job.Destination is { } destination ? paths.CheckAlwaysRules(destination, "Destination") : []);
        if (refusals.FirstOrDefault() is { } refusal)
        {
            Log.JobPathRefused(logger, job.Id, job.Type.ToWire(), refusal.Message);
            return JobErrors.PathRefused(refusal.Message);
        }

        RcloneVersion version;
        try
        {
            version = await versions.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            ForgetPidUnlessRcdAnswered(ex);
            return null;
        }

        if (RcloneFeatures.MissingFor(job, version) is not { } missing)
        {
            return null;
        }

        var error = JobErrors.Incompatible(missing, version);
        Log.JobIncompatible(logger, job.Id, job.Type.ToWire(), error.Code, missing.Name, missing.MinimumVersion.ToString(3), version.Version);
        return error;
    }

    /// <summary>Keeps a sample of an error the classifier could not name (when RCLONE_CAPTURE_UNKNOWN_ERRORS is on).</summary>
    private void Capture(JobFailure failure, Job job, string method)
    {
        if (capture.Capture(failure.Classification, failure.RawMessage, failure.Status, $"job {job.Id}, {method}") == CaptureResult.Written)
        {
            Log.UnknownErrorCaptured(logger, job.Id, failure.Code, capture.Options.Directory);
        }
    }

    /// <summary>
    /// Saves a job this Worker runs (expected: Running, held by this Worker). False when the record changed under it:
    /// then it touches the job no more — releasing the lease only if the job has ended, and stopping its rclone run if
    /// the job was canceled by someone else.
    /// </summary>
    private async Task<bool> SaveOwnAsync(Job job, CancellationToken cancellationToken)
    {
        var result = await store.SaveAsync(job, JobState.Running, WorkerId, cancellationToken).ConfigureAwait(false);
        if (result == SaveResult.Saved)
        {
            return true;
        }

        await OnChangedElsewhereAsync(job, cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>A guarded save found the record changed: touch the job no more, but tidy up what is ours.</summary>
    private async Task OnChangedElsewhereAsync(Job job, CancellationToken cancellationToken)
    {
        var current = await store.GetAsync(job.Id, cancellationToken).ConfigureAwait(false);
        Log.JobChangedElsewhere(logger, job.Id, current?.State.ToWire() ?? "missing", current?.WorkerId ?? "none");
        if (current is null || current.State.IsTerminal() || current.State == JobState.Waiting)
        {
            if (current?.State == JobState.Canceled && job.RcloneJobId is { } rcloneJobId)
            {
                await rclone.StopJobAsync(rcloneJobId, cancellationToken).ConfigureAwait(false);
            }

            await queue.ReleaseAsync(job.Id, WorkerId, cancellationToken).ConfigureAwait(false);
        }
    }

    private void ForgetPidUnlessRcdAnswered(Exception exception)
    {
        if (exception is not RcloneException)
        {
            pids.Invalidate();
        }
    }

    internal static bool IsJobNotFound(RcloneException exception) =>
        exception.Method == "job/status" && exception.Error.Contains("job not found", StringComparison.OrdinalIgnoreCase);

    internal static JobProgress ToProgress(RcloneStats stats) => new()
    {
        Bytes = stats.Bytes,
        TotalBytes = stats.TotalBytes,
        Speed = Math.Round(stats.Speed, 1),
        EtaSeconds = stats.Eta,
        Transfers = stats.Transfers,
        TotalTransfers = stats.TotalTransfers,
        Errors = stats.Errors,
        CurrentFile = stats.Transferring.Count > 0 ? stats.Transferring[0] : null,
    };
}
