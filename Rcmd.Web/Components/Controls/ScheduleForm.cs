using Rcmd.Jobs;
using Rcmd.Schedules;

namespace Rcmd.Web.Components.Controls;

/// <summary>
/// What the schedule dialog edits: a schedule that runs one job. The Api validates it (cron, zone, policies, the job
/// as <c>POST /api/jobs</c> would) and answers field by field; the form only shapes the request.
/// </summary>
public sealed class ScheduleForm
{
    public string? Name { get; set; }
    public string? Cron { get; set; } = "0 * * * *";
    public string? TimeZone { get; set; } = "UTC";
    public string Type { get; set; } = "copy";
    public string? Source { get; set; }
    public string? Destination { get; set; }
    public string Overlap { get; set; } = ScheduleOverlap.Skip.ToWire();
    public string Missed { get; set; } = ScheduleMissed.RunOnce.ToWire();
    public string? Jitter { get; set; }

    /// <summary>The job's options when editing (kept as they were: the dialog does not edit them).</summary>
    public JobOptions? Options { get; init; }

    public DateTimeOffset? StartAt { get; init; }
    public DateTimeOffset? EndAt { get; init; }
    public int? MissedCap { get; init; }

    /// <summary>Whether the job has a destination (delete and purge have none).</summary>
    public bool NeedsDestination => JobTypes.TryParse(Type, out var type) && type.HasDestination();

    public static ScheduleForm From(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return new ScheduleForm
        {
            Name = schedule.Name,
            Cron = schedule.Cron,
            TimeZone = schedule.TimeZone,
            Type = schedule.Job?.Type ?? "copy",
            Source = schedule.Job?.Source,
            Destination = schedule.Job?.Destination,
            Options = schedule.Job?.Options,
            Overlap = schedule.Overlap.ToWire(),
            Missed = schedule.Missed.ToWire(),
            MissedCap = schedule.Missed == ScheduleMissed.RunEach ? schedule.MissedCap : null,
            Jitter = schedule.Jitter > TimeSpan.Zero ? Rcmd.Failures.GoDuration.Format(schedule.Jitter) : null,
            StartAt = schedule.StartAt,
            EndAt = schedule.EndAt,
        };
    }

    public ScheduleRequest ToRequest() => new()
    {
        Name = Trim(Name),
        Cron = Trim(Cron),
        TimeZone = Trim(TimeZone),
        Job = new JobRequest
        {
            Type = Type,
            Source = Trim(Source),
            Destination = NeedsDestination ? Trim(Destination) : null,
            Options = Options,
        },
        Overlap = Overlap,
        Missed = Missed,
        MissedCap = MissedCap,
        Jitter = Trim(Jitter),
        StartAt = StartAt,
        EndAt = EndAt,
    };

    private static string? Trim(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
