using Rcmd.Jobs;

namespace Rcmd.Retention;

/// <summary>What the rules say about one job at one moment.</summary>
public enum RetentionVerdict
{
    /// <summary>Queued, running or waiting: never touched, whatever its age or the count.</summary>
    Live,

    /// <summary>Finished, and within its outcome's retention.</summary>
    Keep,

    /// <summary>Finished longer ago than its outcome's retention: archive it, then delete it.</summary>
    Expired,
}

/// <summary>
/// The retention rules, pure (time comes in): which finished jobs have outlived their outcome's retention, whether a
/// batch's item results have outlived theirs, and how many of the oldest finished jobs the count cap removes. The sweep
/// (<see cref="RetentionSweeper"/>) asks these and does what they say.
/// </summary>
public static class RetentionRules
{
    /// <summary>When a job finished: <see cref="Job.FinishedAt"/>, or its last change for a job that never ran.</summary>
    public static DateTimeOffset FinishedAt(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.FinishedAt ?? job.UpdatedAt;
    }

    /// <summary>The retention of a finished job's outcome (<see cref="RetentionOptions.Succeeded"/> or <see cref="RetentionOptions.Failed"/>).</summary>
    public static TimeSpan RetentionOf(JobState state, RetentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return state == JobState.Succeeded ? options.Succeeded : options.Failed;
    }

    /// <summary>The rule for one job at <paramref name="now"/>.</summary>
    public static RetentionVerdict Evaluate(Job job, RetentionOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!job.State.IsTerminal())
        {
            return RetentionVerdict.Live;
        }

        return FinishedAt(job) + RetentionOf(job.State, options) <= now ? RetentionVerdict.Expired : RetentionVerdict.Keep;
    }

    /// <summary>Whether a finished batch's item results have outlived <see cref="RetentionOptions.BatchItems"/>.</summary>
    public static bool BatchItemsExpired(Job job, RetentionOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(options);
        return job.Type == JobType.Batch && job.State.IsTerminal() && FinishedAt(job) + options.BatchItems <= now;
    }

    /// <summary>
    /// The creation time (the indexes' score) before which a job in <paramref name="state"/> may have expired: a job
    /// finishes after it is created, so none created later has. The sweep ranges the state index up to it.
    /// </summary>
    public static DateTimeOffset CandidateCutoff(JobState state, RetentionOptions options, DateTimeOffset now) =>
        now - RetentionOf(state, options);

    /// <summary>How many of the oldest finished jobs the count cap removes: those past <see cref="RetentionOptions.MaxFinishedJobs"/>.</summary>
    public static long OverCap(long finishedJobs, RetentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Math.Max(0, finishedJobs - options.MaxFinishedJobs);
    }

    /// <summary>
    /// Of finished jobs <paramref name="oldestFirst"/> (by creation), the ones the count cap removes when
    /// <paramref name="excess"/> must go: the oldest, live ones skipped (they never count and are never touched).
    /// </summary>
    public static IReadOnlyList<Job> CapVictims(IEnumerable<Job> oldestFirst, long excess)
    {
        ArgumentNullException.ThrowIfNull(oldestFirst);
        return excess <= 0 ? [] : [.. oldestFirst.Where(j => j.State.IsTerminal()).Take((int)Math.Min(excess, int.MaxValue))];
    }

    /// <summary>The UTC day an archive write on <paramref name="at"/> goes to, as its file name.</summary>
    public static string ArchiveFileName(DateTimeOffset at) =>
        RetentionConstants.FilePrefix + at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)
        + RetentionConstants.FileSuffix;

    /// <summary>
    /// What a link to job <paramref name="id"/> (a <c>retryOf</c>, a schedule's last run) shows: live while the job is in
    /// Redis, archived (with its file) after the sweep took it, unknown once even its tombstone expired.
    /// </summary>
    public static JobLink Link(string id, bool live, DateTimeOffset? archivedAt, string archiveTo) =>
        live ? new JobLink(id, JobLinkState.Live, null)
        : archivedAt is { } at ? new JobLink(id, JobLinkState.Archived, ArchiveLocation(archiveTo, at))
        : new JobLink(id, JobLinkState.Unknown, null);

    /// <summary>
    /// The full location of the archive file written on <paramref name="at"/> under <paramref name="archiveTo"/>, as users
    /// see it (the 410, links): credentials of an inline remote masked.
    /// </summary>
    public static string ArchiveLocation(string archiveTo, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(archiveTo);
        archiveTo = Failures.SecretRedactor.Redact(archiveTo);
        var name = ArchiveFileName(at);
        return archiveTo.EndsWith('/') || archiveTo.EndsWith(':') ? archiveTo + name : archiveTo + "/" + name;
    }
}

/// <summary>Where a link to another job leads.</summary>
public enum JobLinkState
{
    /// <summary>The job is in Redis.</summary>
    Live,

    /// <summary>The job was archived: <see cref="JobLink.ArchiveFile"/> holds it.</summary>
    Archived,

    /// <summary>Neither (never existed, or archived longer ago than <see cref="RetentionOptions.ArchivedLinks"/>).</summary>
    Unknown,
}

/// <summary>A link to a job, resolved.</summary>
public sealed record JobLink(string Id, JobLinkState State, string? ArchiveFile);
