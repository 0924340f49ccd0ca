using System.Globalization;
using Rcmd.Batches;
using Rcmd.Jobs;
using Rcmd.Schedules;

namespace Rcmd.Web.Components.Controls;

/// <summary>
/// What the schedule dialog edits: a schedule that runs one job, or a batch over a directory pair. The Api validates
/// it (cron, zone, policies, the job as <c>POST /api/jobs</c> would, the batch as <c>POST /api/batches</c> would) and
/// answers field by field; the form only shapes the request (and reads its two dates, given in UTC).
/// </summary>
public sealed class ScheduleForm
{
    /// <summary>The format of <see cref="StartAt"/> and <see cref="EndAt"/> (an HTML <c>datetime-local</c> input), read as UTC.</summary>
    public const string DateFormat = "yyyy-MM-ddTHH:mm";

    public const string RunsJob = "job";
    public const string RunsDirectory = "directory";

    public string? Name { get; set; }
    public string? Cron { get; set; } = "0 * * * *";
    public string? TimeZone { get; set; } = "UTC";

    /// <summary><see cref="RunsJob"/> or <see cref="RunsDirectory"/> (a batch over a directory pair).</summary>
    public string Runs { get; set; } = RunsJob;

    public string Type { get; set; } = "copy";
    public string? Source { get; set; }
    public string? Destination { get; set; }

    /// <summary>The job's <c>options.dryRun</c>: rclone reports what it would do and changes nothing.</summary>
    public bool DryRun { get; set; }

    /// <summary>The directory batch's op: <c>copyfile</c> or <c>movefile</c>.</summary>
    public string BatchOp { get; set; } = "copyfile";
    public string? BatchSource { get; set; }
    public string? BatchDestination { get; set; }

    /// <summary>Include patterns, one per line (rclone filter syntax).</summary>
    public string? Include { get; set; }

    /// <summary>Exclude patterns, one per line.</summary>
    public string? Exclude { get; set; }

    /// <summary>When editing a directory batch: its name and options, kept as they were.</summary>
    public string? BatchName { get; init; }
    public BatchOptions? BatchOptions { get; init; }

    public string Overlap { get; set; } = ScheduleOverlap.Skip.ToWire();
    public string Missed { get; set; } = ScheduleMissed.RunOnce.ToWire();

    /// <summary>With <c>run_each</c>: at most this many missed fire times run; the Api's default (10) when empty.</summary>
    public int? MissedCap { get; set; }

    public string? Jitter { get; set; }

    /// <summary>The first time the schedule may fire, UTC, as <see cref="DateFormat"/>; empty for none.</summary>
    public string? StartAt { get; set; }

    /// <summary>The last time the schedule may fire, UTC, as <see cref="DateFormat"/>; empty for none.</summary>
    public string? EndAt { get; set; }

    /// <summary>Whether the job has a destination (delete and purge have none).</summary>
    public bool NeedsDestination => JobTypes.TryParse(Type, out var type) && type.HasDestination();

    public bool IsDirectoryBatch => Runs == RunsDirectory;

    public bool IsRunEach => Missed == ScheduleMissed.RunEach.ToWire();

    public static ScheduleForm From(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var directory = schedule.Batch?.Directory;
        return new ScheduleForm
        {
            Name = schedule.Name,
            Cron = schedule.Cron,
            TimeZone = schedule.TimeZone,
            Runs = directory is null ? RunsJob : RunsDirectory,
            Type = schedule.Job?.Type ?? "copy",
            Source = schedule.Job?.Source,
            Destination = schedule.Job?.Destination,
            DryRun = schedule.Job?.Options?.DryRun ?? false,
            BatchOp = schedule.Batch?.Op is { } op ? op.ToWire() : "copyfile",
            BatchSource = directory?.Source,
            BatchDestination = directory?.Destination,
            Include = directory?.Include is { } include ? string.Join('\n', include) : null,
            Exclude = directory?.Exclude is { } exclude ? string.Join('\n', exclude) : null,
            BatchName = schedule.Batch?.Name,
            BatchOptions = schedule.Batch?.Options,
            Overlap = schedule.Overlap.ToWire(),
            Missed = schedule.Missed.ToWire(),
            MissedCap = schedule.Missed == ScheduleMissed.RunEach ? schedule.MissedCap : null,
            Jitter = schedule.Jitter > TimeSpan.Zero ? Rcmd.Failures.GoDuration.Format(schedule.Jitter) : null,
            StartAt = FormatDate(schedule.StartAt),
            EndAt = FormatDate(schedule.EndAt),
        };
    }

    /// <summary>
    /// The request, or the form's own field errors (<c>startAt</c>, <c>endAt</c>: not a date) when it cannot be shaped.
    /// A schedule that runs a batch of items is not shaped here: the dialog puts its batch back as it was.
    /// </summary>
    public ScheduleRequest ToRequest(out Dictionary<string, string[]> errors)
    {
        errors = [];
        var startAt = ParseDate(StartAt, "startAt", errors);
        var endAt = ParseDate(EndAt, "endAt", errors);
        return new ScheduleRequest
        {
            Name = Trim(Name),
            Cron = Trim(Cron),
            TimeZone = Trim(TimeZone),
            Job = IsDirectoryBatch ? null : new JobRequest
            {
                Type = Type,
                Source = Trim(Source),
                Destination = NeedsDestination ? Trim(Destination) : null,
                Options = DryRun ? new JobOptions { DryRun = true } : null,
            },
            Batch = IsDirectoryBatch ? new ScheduleBatchRequest
            {
                Name = BatchName,
                Op = BatchOp,
                Directory = new BatchDirectory
                {
                    Source = Trim(BatchSource),
                    Destination = Trim(BatchDestination),
                    Include = Patterns(Include),
                    Exclude = Patterns(Exclude),
                },
                Options = BatchOptions,
            } : null,
            Overlap = Overlap,
            Missed = Missed,
            MissedCap = IsRunEach ? MissedCap : null,
            Jitter = Trim(Jitter),
            StartAt = startAt,
            EndAt = endAt,
        };
    }

    private static string? FormatDate(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseDate(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        errors[field] = [$"'{text.Trim()}' is not a date and time (UTC) such as 2026-01-31T02:00."];
        return null;
    }

    /// <summary>One pattern per line; none gives null (no filter).</summary>
    private static List<string>? Patterns(string? text)
    {
        var patterns = (text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return patterns.Count == 0 ? null : patterns;
    }

    private static string? Trim(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
