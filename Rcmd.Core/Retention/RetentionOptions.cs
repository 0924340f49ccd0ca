using System.ComponentModel.DataAnnotations;

namespace Rcmd.Retention;

/// <summary>
/// <c>Rcmd:Retention</c> in configuration (<c>Rcmd__Retention__Succeeded=14.00:00:00</c> in the environment): how long
/// finished jobs stay in Redis, where they go before they are deleted, and how often the sweep runs. Queued, waiting and
/// running jobs are never touched. Validated once at start.
/// </summary>
public sealed class RetentionOptions : IValidatableObject
{
    public const string Section = RetentionConstants.Section;

    /// <summary>Whether this process runs the sweep (one replica at a time runs it, by a Redis lease). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a succeeded job is kept after it finished. Default 14 days.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan Succeeded { get; set; } = RetentionConstants.DefaultSucceeded;

    /// <summary>How long a failed, partially failed or canceled job is kept after it finished. Default 90 days.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan Failed { get; set; } = RetentionConstants.DefaultFailed;

    /// <summary>How long a batch's item results are kept after the batch ended. Default 14 days.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan BatchItems { get; set; } = RetentionConstants.DefaultBatchItems;

    /// <summary>The most finished jobs kept, whatever their age: past it the oldest go first. Default 1,000,000.</summary>
    [Range(1, long.MaxValue)]
    public long MaxFinishedJobs { get; set; } = RetentionConstants.DefaultMaxFinishedJobs;

    /// <summary>
    /// Where expired jobs are written before they are deleted: a directory (<c>/var/lib/rcmd/archive</c>) or an rclone
    /// remote (<c>s3archive:rcmd/history</c>), one gzipped JSON Lines file per UTC day. Default <c>archive/</c> under
    /// the data directory (<c>Rcmd:DataDir</c>, which the AppHost sets), or <c>rcmd-archive</c> under the working
    /// directory when there is none.
    /// </summary>
    [Required]
    public string ArchiveTo { get; set; } = RetentionConstants.DefaultArchiveTo;

    /// <summary>
    /// Where an archive bound for a remote is assembled before rcd copies it (must be readable by rcd). Default: a
    /// <c>rcmd-archive-staging</c> directory under the system's temp directory.
    /// </summary>
    public string? StagingDirectory { get; set; }

    /// <summary>Time between two sweeps. Default 15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "7.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = RetentionConstants.DefaultSweepInterval;

    /// <summary>Jobs archived and deleted per step (one archive write, one Redis script). Default 500.</summary>
    [Range(1, 10_000)]
    public int StepSize { get; set; } = RetentionConstants.DefaultStepSize;

    /// <summary>
    /// How long an archived job's id is remembered, so <c>GET /api/jobs/{id}</c> answers 410 with its archive file and
    /// links to it (<c>retryOf</c>) say "archived". At least <see cref="Succeeded"/> and <see cref="Failed"/>. Default 365 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan ArchivedLinks { get; set; } = RetentionConstants.DefaultArchivedLinks;

    /// <summary>
    /// The most archived ids remembered, whatever <see cref="ArchivedLinks"/> says: past it the oldest are forgotten
    /// first (their <c>GET</c> answers 404, a link to them says "not found"). Bounds the memory they take: ≈ 115 B each.
    /// Default 500,000 (≈ 55 MiB).
    /// </summary>
    [Range(1_000, long.MaxValue)]
    public long MaxArchivedLinks { get; set; } = RetentionConstants.DefaultMaxArchivedLinks;

    /// <summary>The sweep's Redis lease; another replica takes over a sweep whose holder stopped renewing it. Default 2 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = RetentionConstants.DefaultLeaseDuration;

    /// <summary>True when <see cref="ArchiveTo"/> names an rclone remote (<c>name:path</c> or <c>:backend:path</c>).</summary>
    public bool ArchivesToRemote => IsRemote(ArchiveTo);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ArchiveTo))
        {
            yield return new ValidationResult("Rcmd:Retention:ArchiveTo must name a directory or an rclone remote (remote:path).", [nameof(ArchiveTo)]);
        }

        if (ArchivedLinks < Succeeded || ArchivedLinks < Failed)
        {
            yield return new ValidationResult(
                "Rcmd:Retention:ArchivedLinks must be at least Succeeded and Failed: links from live jobs to archived ones must keep working.",
                [nameof(ArchivedLinks)]);
        }
    }

    /// <summary><c>name:path</c> or <c>:backend:path</c> (not <c>/dir</c>, <c>./dir</c>, <c>dir</c> or a Windows drive <c>C:\dir</c>).</summary>
    public static bool IsRemote(string? target)
    {
        if (string.IsNullOrWhiteSpace(target) || target.StartsWith('/') || target.StartsWith('.'))
        {
            return false;
        }

        var colon = target.IndexOf(':', target.StartsWith(':') ? 1 : 0);
        var driveLetter = colon == 1 && char.IsAsciiLetter(target[0]) && target.Length > 2 && target[2] is '\\' or '/';
        return colon > 0 && !driveLetter;
    }
}
