using Microsoft.Extensions.Options;
using Rcmd.Breakers;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Worker.Services;

/// <summary>
/// The circuit breakers in front of job runs (issue 3 §4). Before a claimed job is launched, <see cref="EnterAsync"/>
/// asks the breaker of each remote the job touches; when one is open the job is not started but parked
/// <see cref="JobState.Waiting"/> (reason <c>breaker</c>) until that breaker half-opens, and its lease is released.
/// A closed breaker whose remote failed since its last success parks it the same way, due after
/// <c>Breakers:HalfOpenRetryInterval</c>, while enough runs are in flight on the remote to decide whether it opens
/// (<see cref="BreakerStateMachine.AdmissionLimit"/>).
/// After the run, <see cref="ExitAsync"/> records the outcome of the attempt on each remote: a success, or a failure
/// with the code the Worker classified. A run that never reached rcd (the launch failed) says nothing about the remote
/// and only frees its probe slot. Breakers that cannot be read (Redis trouble) let the job through: a breaker must
/// never be the reason a healthy remote stops.
/// </summary>
public sealed partial class BreakerGate(
    RemoteBreakers breakers,
    JobStore store,
    JobQueue queue,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<BreakerGate> logger)
{
    /// <summary>The most recording a run's outcome on its breakers may take.</summary>
    public static readonly TimeSpan OutcomeTimeout = TimeSpan.FromSeconds(5);

    private string WorkerId => options.Value.WorkerId;

    /// <summary>
    /// Asks the breakers of <paramref name="job"/>'s remotes (the job is Queued and this Worker holds its lease).
    /// Returns the pass to hand to <see cref="ExitAsync"/>, or null when the job was parked instead: then this Worker
    /// no longer holds it.
    /// </summary>
    public async Task<BreakerPass?> EnterAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var remotes = breakers.RemotesOf(job);
        if (remotes.Count == 0)
        {
            return new BreakerPass(job, null);
        }

        BreakerAdmission admission;
        try
        {
            admission = await breakers.EnterAsync(remotes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogBreakerUnavailable(logger, ex, job.Id);
            return new BreakerPass(job, null);
        }

        if (admission.Refusal is not { } refusal)
        {
            return new BreakerPass(job, admission);
        }

        await ParkAsync(job, refusal, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Records the outcome of the run <paramref name="pass"/> admitted, read from the job's stored attempt;
    /// <paramref name="launched"/> false (rcd never started it) only frees probe slots. Not canceled by the job's token:
    /// once the run has ended its lease is released (and may be reported lost), but its outcome still counts. Bounded by
    /// <see cref="OutcomeTimeout"/>.
    /// </summary>
    public async Task ExitAsync(BreakerPass pass, bool launched)
    {
        ArgumentNullException.ThrowIfNull(pass);
        if (pass.Admission is not { } admission)
        {
            return;
        }

        using var bound = new CancellationTokenSource(OutcomeTimeout);
        try
        {
            var attemptNumber = pass.Job.Attempt + 1;
            var stored = launched ? await store.GetAsync(pass.Job.Id, bound.Token).ConfigureAwait(false) : null;
            var attempt = stored?.Attempts.FirstOrDefault(a => a.Number == attemptNumber);
            if (attempt is not { FinishedAt: not null })
            {
                await breakers.ReleaseAsync(admission, bound.Token).ConfigureAwait(false);
            }
            else if (attempt.ErrorCode is null)
            {
                await breakers.RecordSuccessAsync(admission, bound.Token).ConfigureAwait(false);
            }
            else
            {
                await breakers.RecordFailureAsync(admission, attempt.ErrorCode, attempt.ErrorMessage, bound.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // Not recorded: a probe slot frees itself after Breakers:ProbeTimeout.
            LogOutcomeNotRecorded(logger, ex, pass.Job.Id);
        }
    }

    /// <summary>Queued → Waiting (reason <c>breaker</c>, due when the breaker may admit it), lease released.</summary>
    private async Task ParkAsync(Job job, BreakerRefusal refusal, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var message = refusal.Message(now);
        var wait = new JobWait
        {
            Reason = JobWait.BreakerReason,
            DueAt = refusal.Decision.RetryAt ?? now + breakers.Store.SettingsFor(refusal.Remote).BreakDuration,
            Code = ErrorCodes.EndpointUnreachable,
            Message = message,
        };
        var waiting = JobStateMachine.Defer(job, wait, time);
        var saved = await store.DeferAsync(waiting, JobState.Queued, null, cancellationToken, leaseHolder: WorkerId).ConfigureAwait(false);
        if (saved != SaveResult.Saved)
        {
            await queue.ReleaseAsync(job.Id, WorkerId, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (refusal.Decision.RunsInFlight is { } runs)
        {
            LogJobHeldBack(logger, job.Id, job.Type.ToWire(), refusal.Remote, runs, wait.DueAt);
            return;
        }

        LogJobParked(logger, job.Id, job.Type.ToWire(), refusal.Remote, refusal.Decision.State.ToWire(), wait.DueAt);
    }

    [LoggerMessage(60, LogLevel.Information,
        "Job {job_id} ({job_type}) waits: the circuit breaker of remote {remote} is {breaker_state}; due {due_at:O} (error_code endpoint_unreachable)")]
    private static partial void LogJobParked(ILogger logger, string job_id, string job_type, string remote, string breaker_state, DateTimeOffset due_at);

    [LoggerMessage(63, LogLevel.Information,
        "Job {job_id} ({job_type}) waits: remote {remote} is failing and {runs_in_flight} runs in flight decide whether its circuit breaker opens; due {due_at:O} (error_code endpoint_unreachable)")]
    private static partial void LogJobHeldBack(ILogger logger, string job_id, string job_type, string remote, int runs_in_flight, DateTimeOffset due_at);

    [LoggerMessage(61, LogLevel.Warning, "Job {job_id}: the circuit breakers could not be read; running the job without them")]
    private static partial void LogBreakerUnavailable(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(62, LogLevel.Warning, "Job {job_id}: the run's outcome could not be recorded on its circuit breakers")]
    private static partial void LogOutcomeNotRecorded(ILogger logger, Exception exception, string job_id);
}

/// <summary>A job let through by <see cref="BreakerGate"/>: the job as claimed and the breakers' admission (null: none applied).</summary>
public sealed record BreakerPass(Job Job, BreakerAdmission? Admission);
