using System.ComponentModel.DataAnnotations;

namespace Rcmd.Schedules;

/// <summary>How the scheduler in each Worker runs (section <c>Schedules</c>).</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Schedules";

    /// <summary>Whether this process runs a scheduler. Default true (any number may run: each fire time is claimed once).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the due set is read (sooner when a schedule falls due sooner). Default 200 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = ScheduleConstants.DefaultPollInterval;

    /// <summary>
    /// How long a claimed fire time may take to become a job before another scheduler takes it over (the claimant died
    /// between the claim and the job). Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan FireLease { get; set; } = ScheduleConstants.DefaultFireLease;

    /// <summary>A fire time later than this (no scheduler was running) counts as missed: the missed policy applies. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MissedAfter { get; set; } = ScheduleConstants.DefaultMissedAfter;

    /// <summary>Due schedules read per pass. Default 1000.</summary>
    [Range(1, 100_000)]
    public int MaxDuePerPass { get; set; } = ScheduleConstants.DefaultMaxDuePerPass;
}
