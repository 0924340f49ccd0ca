using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Telemetry;

namespace Rcmd.Schedules;

/// <summary>
/// One scheduler's passes over the schedules in Redis (the Worker's SchedulerService runs it in a loop; any number of
/// processes may). A pass: take over claims whose claimant died before creating the job, then for each due schedule
/// step through its plan (<see cref="SchedulePlanner"/>), claiming each fire time in Redis before acting on it, then
/// start the held fire time of queue_one schedules whose run ended. Every decision is claimed, never assumed: a
/// scheduler that loses a claim leaves that fire time to the winner.
/// </summary>
public sealed partial class ScheduleDispatcher(
    ScheduleStore store,
    ScheduleFirer firer,
    JobStore jobs,
    ScheduleMetrics metrics,
    IOptions<ScheduleOptions> options,
    TimeProvider time,
    ILogger<ScheduleDispatcher> logger)
{
    private ScheduleOptions Options => options.Value;

    /// <summary>Runs one pass; returns how long to wait before the next (the poll interval, or less when a schedule is due sooner).</summary>
    public async Task<TimeSpan> PassAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var entry in await store.TakeOverAsync(now, now + Options.FireLease, Options.MaxDuePerPass, cancellationToken).ConfigureAwait(false))
        {
            await TakeOverAsync(entry, cancellationToken).ConfigureAwait(false);
        }

        var due = await store.DueAsync(now, Options.MaxDuePerPass, cancellationToken).ConfigureAwait(false);
        if (due.Count > 0)
        {
            // Schedulers start on different schedules, so they race less for the same fire times.
            var ids = due.ToArray();
            Random.Shared.Shuffle(ids);
            var loaded = await store.LoadAsync(ids, cancellationToken).ConfigureAwait(false);
            // Schedules are independent: step through them concurrently (the one multiplexer pipelines the calls).
            await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length),
                new ParallelOptions { MaxDegreeOfParallelism = ScheduleConstants.ConcurrentSchedules, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    if (loaded[i] is { } entry)
                    {
                        await StepAsync(entry.Schedule, entry.State, token).ConfigureAwait(false);
                    }
                    else
                    {
                        await store.SetDueAsync(ids[i], null, token).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
        }

        await ReleaseQueuedAsync(cancellationToken).ConfigureAwait(false);

        if (due.Count >= Options.MaxDuePerPass)
        {
            return TimeSpan.Zero;
        }

        var next = await store.NextDueAsync(cancellationToken).ConfigureAwait(false);
        var wait = next is { } n ? n - time.GetUtcNow() : Options.PollInterval;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait < Options.PollInterval ? wait : Options.PollInterval;
    }

    /// <summary>Runs a schedule now, outside its cron (the overlap policy does not apply: a person asked).</summary>
    public async Task<(ScheduleRun Run, Job? Job)> RunNowAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var now = time.GetUtcNow();
        var jobId = Guid.CreateVersion7(now).ToString("N");
        var runKey = ScheduleStore.RunKey(now, manual: true);
        var run = new ScheduleRun { PlannedAt = now, JobId = jobId, Outcome = ScheduleOutcomes.Started, Manual = true };
        var claim = await store.ClaimAsync(schedule.Id, now, ClaimAction.Now, null, runKey, run, jobId, now + Options.FireLease, null,
            keepDue: true, now, cancellationToken).ConfigureAwait(false);
        if (claim != ClaimResult.Claimed)
        {
            return (run, null);
        }

        var job = await FinishAsync(schedule, new FiringEntry(schedule.Id, runKey, jobId), run, now, cancellationToken).ConfigureAwait(false);
        return (run with { StartedAt = job?.CreatedAt }, job);
    }

    private async Task StepAsync(Schedule schedule, ScheduleState state, CancellationToken cancellationToken)
    {
        ScheduleTimetable timetable;
        try
        {
            timetable = ScheduleTimetable.For(schedule);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            Log.ScheduleUnusable(logger, schedule.Id, ex.Message);
            await store.SetDueAsync(schedule.Id, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        DateTimeOffset? dueSet = null;
        var claimedAny = false;
        for (var steps = 0; steps < ScheduleConstants.MaxStepsPerSchedule; steps++)
        {
            var now = time.GetUtcNow();
            var step = SchedulePlanner.Step(schedule, timetable, state.Cursor, now, Options.MissedAfter);
            if (step.Kind is ScheduleStepKind.Wait or ScheduleStepKind.Done)
            {
                // The last claim set the due time already; otherwise the stored one was stale (a restart, an edit).
                if (!claimedAny || dueSet != step.DueAt)
                {
                    await store.SetDueAsync(schedule.Id, step.DueAt, cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            var planned = step.Planned!.Value;
            var nextDue = timetable.NextAfter(planned) is { } following ? SchedulePlanner.DueAt(schedule, following) : (DateTimeOffset?)null;
            ClaimAction action;
            if (step.Kind == ScheduleStepKind.SkipMissed)
            {
                action = ClaimAction.Missed;
            }
            else
            {
                var busy = schedule.Overlap != ScheduleOverlap.Parallel && await IsRunningAsync(state, now, cancellationToken).ConfigureAwait(false);
                action = SchedulePlanner.Overlap(schedule.Overlap, busy, state.Queued is not null) switch
                {
                    OverlapAction.Fire => ClaimAction.Fire,
                    OverlapAction.Queue => ClaimAction.Queue,
                    _ => ClaimAction.Skip,
                };
            }

            var jobId = action == ClaimAction.Fire ? ScheduleFirer.JobIdFor(schedule.Id, planned) : null;
            var outcome = action switch
            {
                ClaimAction.Fire => ScheduleOutcomes.Started,
                ClaimAction.Queue => ScheduleOutcomes.Queued,
                ClaimAction.Missed => ScheduleOutcomes.Missed,
                _ => ScheduleOutcomes.Skipped,
            };
            var run = new ScheduleRun { PlannedAt = planned, JobId = jobId, Outcome = outcome };
            var runKey = ScheduleStore.RunKey(planned);
            var claim = await store.ClaimAsync(schedule.Id, planned, action, state.ActiveJobId, runKey, run, jobId, now + Options.FireLease,
                nextDue, keepDue: false, now, cancellationToken).ConfigureAwait(false);
            switch (claim)
            {
                case ClaimResult.Claimed:
                    claimedAny = true;
                    dueSet = nextDue;
                    state = state with { Cursor = planned };
                    if (action == ClaimAction.Fire)
                    {
                        state = state with { ActiveJobId = jobId, ActiveAt = now };
                        await FinishAsync(schedule, new FiringEntry(schedule.Id, runKey, jobId!), run, step.DueAt ?? planned, cancellationToken)
                            .ConfigureAwait(false);
                    }
                    else
                    {
                        if (action == ClaimAction.Queue)
                        {
                            state = state with { Queued = planned };
                        }

                        metrics.RecordRun(schedule.Id, outcome);
                        Log.FireTimeNotRun(logger, schedule.Id, planned, outcome);
                    }

                    break;

                case ClaimResult.Changed:
                    if ((await store.LoadAsync([schedule.Id], cancellationToken).ConfigureAwait(false))[0] is not { } reloaded)
                    {
                        return;
                    }

                    (schedule, state) = reloaded;
                    break;

                default:
                    return; // taken by another scheduler (it carries on with this schedule), or deleted
            }
        }
    }

    /// <summary>Creates the job of a claimed fire time and confirms it; on failure the claim's lease lets another scheduler finish.</summary>
    private async Task<Job?> FinishAsync(Schedule schedule, FiringEntry entry, ScheduleRun run, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        try
        {
            var job = await firer.CreateJobAsync(schedule, entry.JobId, cancellationToken).ConfigureAwait(false);
            await store.CompleteAsync(entry, run with { StartedAt = job.CreatedAt }, cancellationToken).ConfigureAwait(false);
            if (!run.Manual)
            {
                metrics.RecordLag(job.CreatedAt - dueAt);
            }

            metrics.RecordRun(schedule.Id, ScheduleOutcomes.Started);
            Log.Fired(logger, schedule.Id, run.PlannedAt, job.Id);
            return job;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.FireFailed(logger, schedule.Id, run.PlannedAt, ex);
            return null;
        }
    }

    private async Task TakeOverAsync(FiringEntry entry, CancellationToken cancellationToken)
    {
        var schedule = await store.GetAsync(entry.ScheduleId, cancellationToken).ConfigureAwait(false);
        var manual = entry.RunKey.StartsWith('m');
        var planned = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(manual ? entry.RunKey[1..] : entry.RunKey, System.Globalization.CultureInfo.InvariantCulture));
        var run = new ScheduleRun { PlannedAt = planned, JobId = entry.JobId, Outcome = ScheduleOutcomes.Started, Manual = manual };
        if (schedule is null)
        {
            await store.CompleteAsync(entry, run, cancellationToken).ConfigureAwait(false);
            return;
        }

        Log.TakingOver(logger, entry.ScheduleId, planned, entry.JobId);
        await FinishAsync(schedule, entry, run, SchedulePlanner.DueAt(schedule, planned), cancellationToken).ConfigureAwait(false);
    }

    private async Task ReleaseQueuedAsync(CancellationToken cancellationToken)
    {
        var ids = await store.QueuedAsync(Options.MaxDuePerPass, cancellationToken).ConfigureAwait(false);
        if (ids.Count == 0)
        {
            return;
        }

        var loaded = await store.LoadAsync(ids, cancellationToken).ConfigureAwait(false);
        foreach (var entry in loaded)
        {
            if (entry is not var (schedule, state) || state.Queued is not { } planned)
            {
                continue;
            }

            var now = time.GetUtcNow();
            if (schedule.Paused || await IsRunningAsync(state, now, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var jobId = ScheduleFirer.JobIdFor(schedule.Id, planned);
            var runKey = ScheduleStore.RunKey(planned);
            var run = new ScheduleRun { PlannedAt = planned, JobId = jobId, Outcome = ScheduleOutcomes.Started };
            var claim = await store.ClaimAsync(schedule.Id, planned, ClaimAction.Release, state.ActiveJobId, runKey, run, jobId,
                now + Options.FireLease, null, keepDue: true, now, cancellationToken).ConfigureAwait(false);
            if (claim == ClaimResult.Claimed)
            {
                await FinishAsync(schedule, new FiringEntry(schedule.Id, runKey, jobId), run, SchedulePlanner.DueAt(schedule, planned), cancellationToken)
                    .ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Whether the schedule's latest run has not ended: its job is not in a terminal state, or it was claimed so lately
    /// that its job may not exist yet (a job gone for longer, e.g. removed by retention, counts as ended).
    /// </summary>
    private async Task<bool> IsRunningAsync(ScheduleState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (state.ActiveJobId is not { } active)
        {
            return false;
        }

        if (await jobs.GetAsync(active, cancellationToken).ConfigureAwait(false) is { } job)
        {
            return !job.State.IsTerminal();
        }

        return state.ActiveAt is { } at && now - at < Options.FireLease * 2;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7000, Level = LogLevel.Debug, Message = "Schedule {ScheduleId} fired for {Planned:o}: job {JobId}")]
        public static partial void Fired(ILogger logger, string scheduleId, DateTimeOffset planned, string jobId);

        [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Schedule {ScheduleId}: fire time {Planned:o} {Outcome}")]
        public static partial void FireTimeNotRun(ILogger logger, string scheduleId, DateTimeOffset planned, string outcome);

        [LoggerMessage(EventId = 7002, Level = LogLevel.Warning,
            Message = "Schedule {ScheduleId}: the job of fire time {Planned:o} could not be created; another pass takes it over after the claim's lease")]
        public static partial void FireFailed(ILogger logger, string scheduleId, DateTimeOffset planned, Exception exception);

        [LoggerMessage(EventId = 7003, Level = LogLevel.Information,
            Message = "Schedule {ScheduleId}: taking over fire time {Planned:o} (job {JobId}) from a scheduler that did not finish it")]
        public static partial void TakingOver(ILogger logger, string scheduleId, DateTimeOffset planned, string jobId);

        [LoggerMessage(EventId = 7004, Level = LogLevel.Error, Message = "Schedule {ScheduleId} cannot be planned ({Reason}); it is left out of the due set")]
        public static partial void ScheduleUnusable(ILogger logger, string scheduleId, string reason);
    }
}
