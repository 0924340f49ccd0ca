using System.Globalization;

namespace Rcmd.Web.Components.Controls;

/// <summary>How the dashboard writes sizes, speeds, durations and times (invariant culture: the same on every server).</summary>
public static class Humanize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>1536 → "1.5 KiB"; 512 → "512 B".</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(Invariant) + " B";
        }

        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(value >= 100 ? "0" : "0.0", Invariant) + " " + Units[unit];
    }

    /// <summary>Bytes per second → "2.3 MiB/s".</summary>
    public static string Speed(double bytesPerSecond) =>
        bytesPerSecond <= 0 || double.IsNaN(bytesPerSecond) ? "—" : Bytes((long)bytesPerSecond) + "/s";

    /// <summary>Seconds left → "45s", "3m 05s", "2h 04m"; "—" when unknown.</summary>
    public static string Eta(double? seconds) =>
        seconds is { } s && s >= 0 && !double.IsNaN(s) && !double.IsInfinity(s) ? Duration(TimeSpan.FromSeconds(Math.Round(s))) : "—";

    public static string Duration(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 1 } => duration.TotalMilliseconds.ToString("0", Invariant) + "ms",
        { TotalMinutes: < 1 } => duration.Seconds.ToString(Invariant) + "s",
        { TotalHours: < 1 } => string.Create(Invariant, $"{duration.Minutes}m {duration.Seconds:00}s"),
        { TotalDays: < 1 } => string.Create(Invariant, $"{duration.Hours}h {duration.Minutes:00}m"),
        _ => string.Create(Invariant, $"{(int)duration.TotalDays}d {duration.Hours:00}h"),
    };

    /// <summary>42.5 → "42.5%".</summary>
    public static string Percent(double percent) => percent.ToString("0.#", Invariant) + "%";

    /// <summary>UTC, to the second: "2025-05-04 13:45:10Z".</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", Invariant) : "—";

    /// <summary>A long id cut to its first 8 characters (the full id goes in a title).</summary>
    public static string ShortId(string id) => id.Length <= 12 ? id : id[..8] + "…";

    public static string Number(long value) => value.ToString("N0", Invariant);

    /// <summary>"2/3": the job's attempt and the runs it may get; "2" when it does not record them; "0/3" before its first run.</summary>
    public static string Attempt(Rcmd.Jobs.Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.MaxAttempts is { } max
            ? string.Create(Invariant, $"{job.Attempt}/{max}")
            : job.Attempt.ToString(Invariant);
    }
}
