using System.Diagnostics.CodeAnalysis;
using Cronos;

namespace Rcmd.Schedules;

/// <summary>
/// A schedule's fire times: a cron expression (parsed by Cronos) in a time zone, bounded by an optional start and end.
/// Cronos keeps daylight saving time right: a time skipped by a spring-forward runs once, at the first valid moment
/// after the gap; a time repeated by a fall-back runs once (interval fields such as <c>*/5</c> follow the clock's real
/// minutes, so they run through both copies of the hour, as cron does).
/// </summary>
public sealed class ScheduleTimetable
{
    private ScheduleTimetable(CronExpression expression, TimeZoneInfo zone, DateTimeOffset? startAt, DateTimeOffset? endAt)
    {
        Expression = expression;
        Zone = zone;
        StartAt = startAt;
        EndAt = endAt;
    }

    public CronExpression Expression { get; }
    public TimeZoneInfo Zone { get; }
    public DateTimeOffset? StartAt { get; }
    public DateTimeOffset? EndAt { get; }

    public static ScheduleTimetable For(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (!TryParseCron(schedule.Cron, out var expression, out var error))
        {
            throw new InvalidOperationException($"Schedule {schedule.Id}: {error}");
        }

        return new ScheduleTimetable(expression, TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone), schedule.StartAt, schedule.EndAt);
    }

    public static ScheduleTimetable Create(CronExpression expression, TimeZoneInfo zone, DateTimeOffset? startAt = null, DateTimeOffset? endAt = null) =>
        new(expression, zone, startAt, endAt);

    /// <summary>5 fields (minutes), 6 fields (seconds first) or a macro (<c>@hourly</c>, <c>@daily</c>, <c>@every_minute</c>, …).</summary>
    public static bool TryParseCron(string? text, [NotNullWhen(true)] out CronExpression? expression, [NotNullWhen(false)] out string? error)
    {
        expression = null;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            error = "Cron is required: 5 fields (minute hour day month weekday), 6 with seconds first, or @hourly, @daily, @weekly, @monthly, @yearly.";
            return false;
        }

        if (trimmed.Length > ScheduleConstants.MaxCronLength)
        {
            error = $"Cron must be at most {ScheduleConstants.MaxCronLength} characters.";
            return false;
        }

        var fields = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length;
        var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        if (trimmed[0] != '@' && fields is not (5 or 6))
        {
            error = $"'{Shorten(trimmed)}' has {fields} fields: give 5 (minute hour day month weekday) or 6 (seconds first).";
            return false;
        }

        try
        {
            expression = CronExpression.Parse(trimmed, format);
            error = null;
            return true;
        }
        catch (CronFormatException ex)
        {
            error = $"'{Shorten(trimmed)}' is not a valid cron expression: {ex.Message}";
            return false;
        }
    }

    /// <summary>An IANA id (<c>Europe/Paris</c>) or a Windows one; null or empty means UTC.</summary>
    public static bool TryFindZone(string? id, [NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id))
        {
            zone = TimeZoneInfo.Utc;
            return true;
        }

        if (id.Length > 100 || id.Any(char.IsControl))
        {
            return false;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out zone);
    }

    /// <summary>The first fire time strictly after <paramref name="after"/>; null when there is none (past the end).</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        var next = StartAt is { } start && after < start
            ? Expression.GetNextOccurrence(start, Zone, inclusive: true)
            : Expression.GetNextOccurrence(after, Zone);
        return next is { } n && (EndAt is null || n <= EndAt) ? n : null;
    }

    /// <summary>The latest fire time at or before <paramref name="at"/> and strictly after <paramref name="after"/>; null when none.</summary>
    public DateTimeOffset? LatestAtOrBefore(DateTimeOffset at, DateTimeOffset after)
    {
        if (EndAt is { } end && at > end)
        {
            at = end;
        }

        var previous = Expression.GetPreviousOccurrence(at, Zone, inclusive: true);
        return previous is { } p && p > after && (StartAt is null || p >= StartAt) ? p : null;
    }

    /// <summary>Up to <paramref name="count"/> fire times strictly after <paramref name="after"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Upcoming(DateTimeOffset after, int count)
    {
        var times = new List<DateTimeOffset>(count);
        var cursor = after;
        while (times.Count < count && NextAfter(cursor) is { } next)
        {
            times.Add(next);
            cursor = next;
        }

        return times;
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
