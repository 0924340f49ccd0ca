namespace Rcmd.Schedules;

/// <summary>The defaults and limits of schedules (each default is stated on the option that uses it).</summary>
public static class ScheduleConstants
{
    public const int DefaultMissedCap = 10;
    public const int MaxMissedCap = 1000;
    public const int MaxNameLength = 200;
    public const int MaxCronLength = 200;

    /// <summary>A schedule's batch keeps its items in the schedule record: at most this many (a directory pair has no limit).</summary>
    public const int MaxBatchItems = 1000;

    public static readonly TimeSpan MaxJitter = TimeSpan.FromHours(1);

    /// <summary>Runs kept per schedule (the oldest are dropped).</summary>
    public const int RunsKept = 1000;

    /// <summary>The success rate is over this many latest runs.</summary>
    public const int SuccessRateRuns = 50;

    /// <summary>Fire times shown by the Api.</summary>
    public const int NextFireTimesShown = 5;

    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    internal static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(200);
    internal static readonly TimeSpan DefaultFireLease = TimeSpan.FromSeconds(30);
    internal static readonly TimeSpan DefaultMissedAfter = TimeSpan.FromSeconds(30);
    internal const int DefaultMaxDuePerPass = 1000;

    /// <summary>Steps (fire times) taken for one schedule in one pass, so one schedule cannot hold a pass for long.</summary>
    internal const int MaxStepsPerSchedule = 20;

    /// <summary>Schedules a pass steps through at once.</summary>
    internal const int ConcurrentSchedules = 32;
}
