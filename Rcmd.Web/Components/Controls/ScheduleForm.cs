using System.Globalization;
using Rcmd.Batches;
using Rcmd.Jobs;
using Rcmd.Schedules;

namespace Rcmd.Web.Components.Controls;

/// <summary>
/// What the schedule dialog edits: a schedule that runs one job, a batch of listed items, or a batch over a directory
/// pair. The Api validates it (cron, zone, policies, the job as <c>POST /api/jobs</c> would, the batch as
/// <c>POST /api/batches</c> would) and answers field by field; the form only shapes the request: it reads the item
/// lines, and its two dates in the schedule's own time zone.
/// </summary>
public sealed class ScheduleForm
{
    /// <summary>
    /// The format of <see cref="StartAt"/> and <see cref="EndAt"/> (an HTML <c>datetime-local</c> input), a wall-clock
    /// time in the schedule's <see cref="TimeZone"/>.
    /// </summary>
    public const string DateFormat = "yyyy-MM-ddTHH:mm";

    /// <summary>Between an item's source and destination on its line (a tab works too).</summary>
    public const string ItemArrow = " -> ";

    public const string RunsJob = "job";
    public const string RunsItems = "items";
    public const string RunsDirectory = "directory";

    public string? Name { get; set; }
    public string? Cron { get; set; } = "0 * * * *";
    public string? TimeZone { get; set; } = "UTC";

    /// <summary><see cref="RunsJob"/>, <see cref="RunsItems"/> (a batch of listed items) or <see cref="RunsDirectory"/> (a batch over a directory pair).</summary>
    public string Runs { get; set; } = RunsJob;

    public string Type { get; set; } = "copy";
    public string? Source { get; set; }
    public string? Destination { get; set; }

    /// <summary>The job's <c>options.dryRun</c>: rclone reports what it would do and changes nothing.</summary>
    public bool DryRun { get; set; }

    /// <summary>
    /// The batch's op: <c>copyfile</c> or <c>movefile</c> for each file of a directory pair; for listed items also
    /// <c>deletefile</c> (every item gets it).
    /// </summary>
    public string BatchOp { get; set; } = "copyfile";

    /// <summary>The listed items, one a line: <c>source -> destination</c>, or only the source with <c>deletefile</c>.</summary>
    public string? Items { get; set; }
    public string? BatchSource { get; set; }
    public string? BatchDestination { get; set; }

    /// <summary>Include patterns, one per line (rclone filter syntax).</summary>
    public string? Include { get; set; }

    /// <summary>Exclude patterns, one per line.</summary>
    public string? Exclude { get; set; }

    /// <summary>
    /// Editing a batch whose items mix ops (made over the Api): the form has one op field, so it does not show them as
    /// lines; the dialog sends the stored items back as they were.
    /// </summary>
    public bool KeepsItems { get; init; }

    /// <summary>When editing a batch: its name and options, kept as they were.</summary>
    public string? BatchName { get; init; }
    public BatchOptions? BatchOptions { get; init; }

    public string Overlap { get; set; } = ScheduleOverlap.Skip.ToWire();
    public string Missed { get; set; } = ScheduleMissed.RunOnce.ToWire();

    /// <summary>With <c>run_each</c>: at most this many missed fire times run; the Api's default (10) when empty.</summary>
    public int? MissedCap { get; set; }

    public string? Jitter { get; set; }

    /// <summary>The first time the schedule may fire, in its time zone, as <see cref="DateFormat"/>; empty for none.</summary>
    public string? StartAt { get; set; }

    /// <summary>The last time the schedule may fire, in its time zone, as <see cref="DateFormat"/>; empty for none.</summary>
    public string? EndAt { get; set; }

    /// <summary>Whether the job has a destination (delete and purge have none).</summary>
    public bool NeedsDestination => JobTypes.TryParse(Type, out var type) && type.HasDestination();

    public bool IsDirectoryBatch => Runs == RunsDirectory;

    public bool IsItemsBatch => Runs == RunsItems;

    /// <summary>Whether the listed items take a destination (all but <c>deletefile</c>).</summary>
    public bool ItemsNeedDestination => BatchOp != "deletefile";

    public bool IsRunEach => Missed == ScheduleMissed.RunEach.ToWire();

    public static ScheduleForm From(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var directory = schedule.Batch?.Directory;
        var items = schedule.Batch?.Items;
        var zone = FindZone(schedule.TimeZone);
        return new ScheduleForm
        {
            Name = schedule.Name,
            Cron = schedule.Cron,
            TimeZone = schedule.TimeZone,
            Runs = directory is not null ? RunsDirectory : items is not null ? RunsItems : RunsJob,
            Type = schedule.Job?.Type ?? "copy",
            Source = schedule.Job?.Source,
            Destination = schedule.Job?.Destination,
            DryRun = schedule.Job?.Options?.DryRun ?? false,
            BatchOp = schedule.Batch?.Op is { } op ? op.ToWire() : items is [var first, ..] ? first.Op.ToWire() : "copyfile",
            Items = items is null || !CanEditItems(schedule.Batch) ? null : FormatItems(items),
            KeepsItems = !CanEditItems(schedule.Batch),
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
            StartAt = FormatDate(schedule.StartAt, zone),
            EndAt = FormatDate(schedule.EndAt, zone),
        };
    }

    private static bool CanEditItems(ScheduleBatch? batch) =>
        batch?.Items is not { } items || items.Select(i => i.Op).Distinct().Count() <= 1;

    /// <summary>
    /// The request, or the form's own field errors when it cannot be shaped: a date that is not one or does not exist in
    /// the zone (<c>startAt</c>, <c>endAt</c>), a zone it cannot read the dates in (<c>timeZone</c>), an item line without
    /// its destination (<c>batch.items</c>).
    /// </summary>
    public ScheduleRequest ToRequest(out Dictionary<string, string[]> errors)
    {
        errors = [];
        var zone = DatesZone(errors);
        var startAt = ParseDate(StartAt, "startAt", zone, errors);
        var endAt = ParseDate(EndAt, "endAt", zone, errors);
        return new ScheduleRequest
        {
            Name = Trim(Name),
            Cron = Trim(Cron),
            TimeZone = Trim(TimeZone),
            Job = IsDirectoryBatch || IsItemsBatch ? null : new JobRequest
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
            } : IsItemsBatch && !KeepsItems ? new ScheduleBatchRequest
            {
                Name = BatchName,
                Items = ParseItems(errors),
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

    /// <summary>What <paramref name="value"/> (UTC) reads on the wall clock of <paramref name="zone"/>.</summary>
    private static string? FormatDate(DateTimeOffset? value, TimeZoneInfo? zone) =>
        value is { } utc ? TimeZoneInfo.ConvertTime(utc, zone ?? TimeZoneInfo.Utc).DateTime.ToString(DateFormat, CultureInfo.InvariantCulture) : null;

    /// <summary>
    /// The instant <paramref name="text"/> names: a wall-clock time in <paramref name="zone"/> (or a time with its own offset,
    /// such as <c>…Z</c>). A time the zone skips (clocks going forward) is refused; a time it has twice (clocks going
    /// back) is the first of the two.
    /// </summary>
    private static DateTimeOffset? ParseDate(string? text, string field, TimeZoneInfo? zone, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        if (zone is null)
        {
            // The zone's own error says what to fix; the date is read once the zone is known.
            return null;
        }

        if (!DateTime.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.RoundtripKind, out var parsed))
        {
            errors[field] = [$"'{trimmed}' is not a date and time such as 2026-01-31T02:00 (in the schedule's time zone, {zone.Id})."];
            return null;
        }

        if (parsed.Kind != DateTimeKind.Unspecified)
        {
            // An explicit offset or Z: that instant, whatever the zone.
            return new DateTimeOffset(parsed.ToUniversalTime(), TimeSpan.Zero);
        }

        if (zone.IsInvalidTime(parsed))
        {
            errors[field] = [$"{trimmed} does not exist in {zone.Id}: the clocks skip it (summer time begins). Pick a time outside the gap."];
            return null;
        }

        var offset = zone.IsAmbiguousTime(parsed) ? zone.GetAmbiguousTimeOffsets(parsed).Max() : zone.GetUtcOffset(parsed);
        return new DateTimeOffset(parsed, offset).ToUniversalTime();
    }

    /// <summary>
    /// What <paramref name="date"/> (a wall-clock time in the schedule's zone) is in UTC, e.g. "= 2026-03-29 00:30 UTC";
    /// null while it cannot be read or the zone is UTC itself.
    /// </summary>
    public string? UtcHint(string? date)
    {
        var zone = FindZone(TimeZone);
        if (zone is null || zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime)
        {
            return null;
        }

        var ignored = new Dictionary<string, string[]>();
        return ParseDate(date, "date", zone, ignored) is { } utc
            ? "= " + utc.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC"
            : null;
    }

    /// <summary>The zone the dates are read in (UTC when none is given); null, with a <c>timeZone</c> error, when dates are given in a zone no one knows.</summary>
    private TimeZoneInfo? DatesZone(Dictionary<string, string[]> errors)
    {
        if (FindZone(TimeZone) is { } zone)
        {
            return zone;
        }

        if (!string.IsNullOrWhiteSpace(StartAt) || !string.IsNullOrWhiteSpace(EndAt))
        {
            errors["timeZone"] = [$"'{TimeZone?.Trim()}' is not a time zone this server knows (an IANA id such as Europe/Paris), so the start and end dates cannot be read."];
        }

        return null;
    }

    private static TimeZoneInfo? FindZone(string? id) =>
        string.IsNullOrWhiteSpace(id) ? TimeZoneInfo.Utc : TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone) ? zone : null;

    /// <summary>
    /// The item lines as the Api takes them, each with the form's op. A line that lacks its destination (or has one with
    /// <c>deletefile</c>) is said under <c>batch.items</c> with its number; the Api checks the paths themselves.
    /// </summary>
    private List<BatchItemRequest> ParseItems(Dictionary<string, string[]> errors)
    {
        var items = new List<BatchItemRequest>();
        var problems = new List<string>();
        var lines = (Items ?? string.Empty).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var (source, destination) = SplitItem(line);
            if (ItemsNeedDestination && destination is null)
            {
                problems.Add($"Line {i + 1} has no destination: write it as 'source{ItemArrow}destination'.");
            }
            else if (!ItemsNeedDestination && destination is not null)
            {
                problems.Add($"Line {i + 1} has a destination, but deletefile takes only the file to delete.");
            }

            items.Add(new BatchItemRequest { Op = BatchOp, Source = source, Destination = destination });
        }

        if (items.Count == 0)
        {
            problems.Add($"List at least one item, one a line: 'source{ItemArrow}destination'.");
        }

        if (problems.Count > 0)
        {
            errors["batch.items"] = [.. problems.Take(20), .. problems.Count > 20 ? new[] { $"… and {problems.Count - 20} more lines." } : []];
        }

        return items;
    }

    private static (string Source, string? Destination) SplitItem(string line)
    {
        var arrow = line.IndexOf(ItemArrow, StringComparison.Ordinal);
        var (at, width) = arrow >= 0 ? (arrow, ItemArrow.Length) : (line.IndexOf('\t'), 1);
        return at < 0 ? (line, null) : (line[..at].Trim(), Trim(line[(at + width)..]));
    }

    private static string FormatItems(IEnumerable<BatchItem> items) =>
        string.Join('\n', items.Select(i => i.Destination is null ? i.Source : i.Source + ItemArrow + i.Destination));

    /// <summary>One pattern per line; none gives null (no filter).</summary>
    private static List<string>? Patterns(string? text)
    {
        var patterns = (text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return patterns.Count == 0 ? null : patterns;
    }

    private static string? Trim(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
