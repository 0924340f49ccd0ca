namespace Rcmd.Schedules;

/// <summary>What a scheduler does next with one schedule.</summary>
public enum ScheduleStepKind
{
    /// <summary>Nothing is due: the next fire time is <see cref="ScheduleStep.DueAt"/>.</summary>
    Wait,

    /// <summary>The schedule never fires again (past its end, or paused).</summary>
    Done,

    /// <summary>Fire time <see cref="ScheduleStep.Planned"/> is due: claim it and run (the overlap policy still decides).</summary>
    Fire,

    /// <summary>Fire times up to <see cref="ScheduleStep.Planned"/> were missed and are dropped (missed policy).</summary>
    SkipMissed,
}

/// <summary>One step of a schedule's plan.</summary>
public readonly record struct ScheduleStep(ScheduleStepKind Kind, DateTimeOffset? Planned = null, DateTimeOffset? DueAt = null);

/// <summary>What the overlap policy says about a fire time.</summary>
public enum OverlapAction
{
    /// <summary>Start the run.</summary>
    Fire,

    /// <summary>Record the fire time as skipped.</summary>
    Skip,

    /// <summary>Keep the fire time until the previous run ends (queue_one).</summary>
    Queue,
}

/// <summary>
/// The pure logic of schedules: which fire time comes next from a cursor (the last fire time dealt with), what a late
/// scheduler does with missed ones, jitter, and the overlap decision. No I/O, time passed in: the Redis store claims
/// what this decides, and the tests drive it with a fake clock.
/// </summary>
public static class SchedulePlanner
{
    /// <summary>
    /// The next step for <paramref name="schedule"/> whose fire times up to <paramref name="cursor"/> are dealt with.
    /// A fire time whose due time (plus jitter) is more than <paramref name="missedAfter"/> ago is missed: <c>run_once</c>
    /// fires the latest fire time up to <paramref name="now"/> and drops the rest, <c>skip</c> drops those missed,
    /// <c>run_each</c> fires them one by one, only the latest <see cref="Schedule.MissedCap"/>.
    /// </summary>
    public static ScheduleStep Step(Schedule schedule, ScheduleTimetable timetable, DateTimeOffset cursor, DateTimeOffset now, TimeSpan missedAfter)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(timetable);
        if (schedule.Paused)
        {
            return new ScheduleStep(ScheduleStepKind.Done);
        }

        if (timetable.NextAfter(cursor) is not { } next)
        {
            return new ScheduleStep(ScheduleStepKind.Done);
        }

        var due = DueAt(schedule, next);
        if (due > now)
        {
            return new ScheduleStep(ScheduleStepKind.Wait, next, due);
        }

        if (now - due <= missedAfter)
        {
            return new ScheduleStep(ScheduleStepKind.Fire, next, due);
        }

        switch (schedule.Missed)
        {
            case ScheduleMissed.Skip:
                var lastMissed = timetable.LatestAtOrBefore(now - missedAfter, cursor) ?? next;
                return new ScheduleStep(ScheduleStepKind.SkipMissed, lastMissed < next ? next : lastMissed);

            case ScheduleMissed.RunEach:
                // The latest MissedCap fire times up to now; everything before the oldest of them is dropped.
                var oldest = next;
                var at = now;
                var found = 0;
                while (found < schedule.MissedCap && timetable.LatestAtOrBefore(at, cursor) is { } previous)
                {
                    oldest = previous;
                    found++;
                    at = previous.AddTicks(-1);
                }

                if (oldest > next && timetable.LatestAtOrBefore(oldest.AddTicks(-1), cursor) is { } dropUpTo)
                {
                    return new ScheduleStep(ScheduleStepKind.SkipMissed, dropUpTo);
                }

                return new ScheduleStep(ScheduleStepKind.Fire, next, due);

            default:
                var latest = timetable.LatestAtOrBefore(now, cursor) ?? next;
                return new ScheduleStep(ScheduleStepKind.Fire, latest, DueAt(schedule, latest));
        }
    }

    /// <summary>When the fire time <paramref name="planned"/> is due: itself plus the schedule's jitter for it.</summary>
    public static DateTimeOffset DueAt(Schedule schedule, DateTimeOffset planned)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return planned + Jitter(schedule.Id, planned, schedule.Jitter);
    }

    /// <summary>
    /// A delay in [0, <paramref name="max"/>) that every scheduler computes alike for the same schedule and fire time
    /// (a hash, not a random draw), so replicas agree on when a fire time is due.
    /// </summary>
    public static TimeSpan Jitter(string scheduleId, DateTimeOffset planned, TimeSpan max)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        if (max <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        // FNV-1a over the id and the fire time (ms): stable across processes and runtimes, unlike string.GetHashCode.
        var hash = 14695981039346656037UL;
        foreach (var c in scheduleId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        var ms = planned.ToUnixTimeMilliseconds();
        for (var i = 0; i < 8; i++)
        {
            hash = (hash ^ (byte)(ms >> (8 * i))) * 1099511628211UL;
        }

        var maxMs = (ulong)Math.Max(1, (long)max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(hash % maxMs);
    }

    /// <summary>
    /// The overlap policy for a fire time: <paramref name="previousRunning"/> when the schedule's last run has not
    /// ended, <paramref name="oneQueued"/> when a fire time already waits for it (queue_one).
    /// </summary>
    public static OverlapAction Overlap(ScheduleOverlap policy, bool previousRunning, bool oneQueued) => policy switch
    {
        ScheduleOverlap.Parallel => OverlapAction.Fire,
        ScheduleOverlap.QueueOne when oneQueued => OverlapAction.Skip,
        _ when !previousRunning => OverlapAction.Fire,
        ScheduleOverlap.QueueOne => OverlapAction.Queue,
        _ => OverlapAction.Skip,
    };

    /// <summary>Where a new (or resumed, or changed) schedule starts counting: fire times from now on, not before.</summary>
    public static DateTimeOffset InitialCursor(DateTimeOffset now) => now;
}
