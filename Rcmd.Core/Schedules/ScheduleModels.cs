using System.Text.Json.Serialization;
using Rcmd.Batches;
using Rcmd.Jobs;
using Rcmd.Serialization;

namespace Rcmd.Schedules;

/// <summary>What a schedule does when a fire time comes while its previous run is still going.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<ScheduleOverlap>))]
public enum ScheduleOverlap
{
    /// <summary>The fire time is skipped (recorded as a <c>skipped</c> run). The default.</summary>
    Skip,

    /// <summary>One fire time waits and runs as soon as the previous run ends; further ones are skipped meanwhile.</summary>
    QueueOne,

    /// <summary>Every fire time runs, whatever is still running.</summary>
    Parallel,
}

/// <summary>What a schedule does with fire times that passed while no scheduler ran (downtime).</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<ScheduleMissed>))]
public enum ScheduleMissed
{
    /// <summary>The most recent missed fire time runs once, now; the others are dropped. The default.</summary>
    RunOnce,

    /// <summary>Missed fire times are dropped; the schedule goes on with the next one.</summary>
    Skip,

    /// <summary>Each missed fire time runs, oldest first, at most <see cref="Schedule.MissedCap"/> of them (the latest).</summary>
    RunEach,
}

/// <summary>A batch as a schedule keeps it: a directory pair, or a list of items (at most <see cref="ScheduleConstants.MaxBatchItems"/>).</summary>
public sealed record ScheduleBatchRequest
{
    public string? Name { get; init; }
    public string? Op { get; init; }
    public IReadOnlyList<BatchItemRequest>? Items { get; init; }
    public BatchDirectory? Directory { get; init; }
    public BatchOptions? Options { get; init; }
}

/// <summary>What a client sends to create or replace a schedule, as it arrives: every field may be missing or wrong.</summary>
public sealed record ScheduleRequest
{
    public string? Name { get; init; }

    /// <summary>5 fields (minute precision), 6 fields (seconds first), or a macro: <c>@hourly</c>, <c>@daily</c>, …</summary>
    public string? Cron { get; init; }

    /// <summary>An IANA (or Windows) time zone id; UTC when missing.</summary>
    public string? TimeZone { get; init; }

    /// <summary>A job as <c>POST /api/jobs</c> takes it; or give <see cref="Batch"/>.</summary>
    public JobRequest? Job { get; init; }

    /// <summary>A batch as <c>POST /api/batches</c> takes it; or give <see cref="Job"/>.</summary>
    public ScheduleBatchRequest? Batch { get; init; }

    /// <summary><c>skip</c> (default), <c>queue_one</c> or <c>parallel</c>.</summary>
    public string? Overlap { get; init; }

    /// <summary><c>run_once</c> (default), <c>skip</c> or <c>run_each</c>.</summary>
    public string? Missed { get; init; }

    /// <summary>With <c>run_each</c>: at most this many missed fire times run (the latest). Default 10.</summary>
    public int? MissedCap { get; init; }

    /// <summary>A random delay added to each fire time, at most this long (Go duration: <c>30s</c>, <c>5m</c>).</summary>
    public string? Jitter { get; init; }

    public DateTimeOffset? StartAt { get; init; }
    public DateTimeOffset? EndAt { get; init; }
}

/// <summary>A validated batch: either <see cref="Items"/> or <see cref="Directory"/> (with its <see cref="Op"/>).</summary>
public sealed record ScheduleBatch
{
    public string? Name { get; init; }
    public BatchOp? Op { get; init; }
    public IReadOnlyList<BatchItem>? Items { get; init; }
    public BatchDirectory? Directory { get; init; }
    public BatchOptions Options { get; init; } = new();
}

/// <summary>A schedule as stored (<c>rcmd:schedule:{id}</c>): valid by construction (<see cref="ScheduleValidator"/>).</summary>
public sealed record Schedule
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Cron { get; init; }
    public required string TimeZone { get; init; }

    /// <summary>The job to run (type, source, destination, options), validated as <c>POST /api/jobs</c> validates it.</summary>
    public JobRequest? Job { get; init; }

    public ScheduleBatch? Batch { get; init; }
    public ScheduleOverlap Overlap { get; init; }
    public ScheduleMissed Missed { get; init; }
    public int MissedCap { get; init; } = ScheduleConstants.DefaultMissedCap;
    public TimeSpan Jitter { get; init; }
    public DateTimeOffset? StartAt { get; init; }
    public DateTimeOffset? EndAt { get; init; }
    public bool Paused { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>One fire time of a schedule and what came of it (<c>rcmd:schedule:{id}:run</c>).</summary>
public sealed record ScheduleRun
{
    /// <summary>The fire time from the cron expression (for a run-now: when it was asked for).</summary>
    public required DateTimeOffset PlannedAt { get; init; }

    /// <summary>When the job was created (null for a run that was skipped, missed or still queued).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    public string? JobId { get; init; }

    /// <summary>
    /// <c>started</c>, <c>skipped</c> (overlap), <c>queued</c> (overlap: waits for the previous run), <c>missed</c> (downtime,
    /// missed policy skip); when read through the Api, a started run shows its job's state instead.
    /// </summary>
    public required string Outcome { get; init; }

    /// <summary>Asked for with run-now, not a cron fire time.</summary>
    public bool Manual { get; init; }
}

/// <summary>One upcoming fire time, in the schedule's zone and in UTC.</summary>
public sealed record ScheduleFireTime(DateTimeOffset Local, DateTimeOffset Utc);

/// <summary>A schedule as the Api shows it: the stored definition with what is computed and counted around it.</summary>
public sealed record ScheduleView
{
    public required Schedule Schedule { get; init; }
    public IReadOnlyList<ScheduleFireTime> NextFireTimes { get; init; } = [];
    public ScheduleRun? LastRun { get; init; }

    /// <summary>Of the last <see cref="ScheduleConstants.SuccessRateRuns"/> finished runs, the share that succeeded (0–1); null before any.</summary>
    public double? SuccessRate { get; init; }

    /// <summary>The outcomes of the latest runs, oldest first (a sparkline).</summary>
    public IReadOnlyList<string> RecentOutcomes { get; init; } = [];
}

/// <summary>A page of a schedule's runs, newest first.</summary>
public sealed record ScheduleRunPage(IReadOnlyList<ScheduleRun> Items, long Total, int Page, int PageSize);

/// <summary>A page of schedules, newest first.</summary>
public sealed record SchedulePage(IReadOnlyList<ScheduleView> Items, long Total, int Page, int PageSize);

/// <summary>Outcome names of runs and of <c>schedule_runs_total</c>.</summary>
public static class ScheduleOutcomes
{
    public const string Started = "started";
    public const string Skipped = "skipped";
    public const string Queued = "queued";
    public const string Missed = "missed";
}

public static class ScheduleWire
{
    public static string ToWire(this ScheduleOverlap value) => value switch
    {
        ScheduleOverlap.Skip => "skip",
        ScheduleOverlap.QueueOne => "queue_one",
        ScheduleOverlap.Parallel => "parallel",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static string ToWire(this ScheduleMissed value) => value switch
    {
        ScheduleMissed.RunOnce => "run_once",
        ScheduleMissed.Skip => "skip",
        ScheduleMissed.RunEach => "run_each",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static bool TryParse(string? text, out ScheduleOverlap value) => TryParseEnum(text, ToWire, out value);

    public static bool TryParse(string? text, out ScheduleMissed value) => TryParseEnum(text, ToWire, out value);

    private static bool TryParseEnum<T>(string? text, Func<T, string> wire, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(wire(candidate), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
