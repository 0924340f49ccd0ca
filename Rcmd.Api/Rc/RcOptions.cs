using System.ComponentModel.DataAnnotations;

namespace Rcmd.Api.Rc;

/// <summary><c>Rcmd:Rc</c>: how <c>/rc/</c> answers. Validated at start.</summary>
public sealed class RcOptions
{
    public const string Section = "Rcmd:Rc";

    /// <summary>The browser origins allowed to call <c>/rc/</c> (rclone's web GUI, Rclone UI). Default none.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>
    /// The most ids <c>job/list</c> answers: the newest this many RC job ids (live jobs, archived jobs, async batches),
    /// so the reply stays bounded however many jobs Redis keeps. Default 10,000.
    /// </summary>
    [Range(1, 1_000_000)]
    public int JobListLimit { get; set; } = RcConstants.JobListLimit;

    /// <summary>
    /// How long an Api holds an async <c>job/batch</c> without renewing it (renewed every third of it); once it runs out —
    /// the Api died — another Api resumes the batch. Each renewal also reads the batch's stop request, so a
    /// <c>job/stop</c> made at another Api stops the batch's inputs in flight within a third of it (before the next input
    /// starts in any case). Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BatchLease { get; set; } = RcConstants.BatchLease;

    /// <summary>How often each Api looks for an async batch whose lease ran out. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan BatchResumeInterval { get; set; } = RcConstants.BatchResumeInterval;

    /// <summary>
    /// A synchronous call wakes on its job's end event; it also reads the job this often in case an event was lost
    /// (Redis pub/sub does not replay). Default 2 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan SyncSafetyPoll { get; set; } = RcConstants.SyncSafetyPoll;
}

/// <summary>The defaults of <see cref="RcOptions"/>.</summary>
internal static class RcConstants
{
    public const int JobListLimit = 10_000;
    public static readonly TimeSpan BatchLease = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan BatchResumeInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan SyncSafetyPoll = TimeSpan.FromSeconds(2);
}
